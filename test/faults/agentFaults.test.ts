// Faults inside one device: a hashing thread crashes mid-unit, the temperature
// sensor's sysfs files vanish, and the disk is full when config/set persists.
// Each must be reported (event or error response) and survived.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMosquitto, type Broker } from '../../harness/mosquitto.ts';
import { spawnAgent } from '../helpers/agentProcess.ts';
import { Collector } from '../helpers/collector.ts';
import { coolSysfs } from '../helpers/coolSysfs.ts';
import { loadConfig } from '../../config/load.ts';
import { startAgent } from '../../agent/runtime.ts';
import { getAlgoModule } from '../../kernels/registry.ts';
import { hexToBytes } from '../../kernels/hex.ts';

let broker: Broker;
before(async () => { broker = await startMosquitto({ extraConfig: 'set_tcp_nodelay true\n' }); });
after(async () => broker.stop());

const HEADER = '11'.repeat(76) + '00000000';
const TARGET = '003fffff' + 'ff'.repeat(28); // about one share per 1024 nonces
/** For a unit over the whole nonce space: ~16,000 shares, inside what an agent accepts (MAX_EXPECTED_SHARES). */
const RARE = '00003fff' + 'ff'.repeat(28);

test('a hashing thread that crashes mid-unit is reported and replaced; the unit keeps its exact count and shares', { timeout: 60_000 }, async () => {
  const sysfs = coolSysfs();
  const config = loadConfig({ env: { HASHLING_BROKER_URL: broker.url, HASHLING_DEVICE_ID: 'crashy', HASHLING_HASHING_THREADS: '2', HASHLING_SENSORS_SYSFS_ROOT: sysfs.root } });
  const runtime = await startAgent(config, () => {});
  const c = await Collector.connect(broker.url, ['hashling/crashy/#']);
  try {
    await c.wait('hashling/crashy/status', (j) => j.state === 'online');
    runtime.pool.crashForTest(0);
    const total = 300_000;
    await c.publish('hashling/crashy/work', JSON.stringify({ v: 1, unit_id: 'c1', job_id: 'c', algo: 'sha256d', header: HEADER, target: TARGET, nonce_start: 0, nonce_end: total - 1 }));
    const crash = await c.wait('hashling/crashy/events', (j) => j.code === 'E_WORKER_CRASH');
    assert.equal(crash.json.unit_id, 'c1');
    const result = await c.wait('hashling/crashy/results', (j) => j.unit_id === 'c1', 40_000);
    assert.equal(result.json.status, 'done');
    assert.equal(result.json.hashes, total);
    const mod = getAlgoModule('sha256d')!;
    const job = { algo: 'sha256d' as const, header: hexToBytes(HEADER), target: hexToBytes(TARGET) };
    let expected = 0;
    for (let n = 0; n < total; n++) if (mod.isShare(job, mod.hashAt(job, n))) expected++;
    await c.wait('hashling/crashy/shares', () => new Set(c.on('hashling/crashy/shares').map((m) => m.json.nonce)).size >= expected, 5000).catch(() => undefined);
    assert.equal(result.json.shares, expected);
    assert.equal(new Set(c.on('hashling/crashy/shares').map((m) => m.json.nonce)).size, expected, 'no share lost or doubled');
    assert.equal(runtime.pool.threads, 2);
  } finally {
    await c.close();
    await runtime.stop();
  }
});

test('the temperature sensor vanishing is reported once; the agent falls back and keeps hashing', { timeout: 60_000 }, async () => {
  const sysfs = coolSysfs();
  const agent = spawnAgent(['--broker', broker.url, '--device-id', 'nosensor', '--threads', '1'], {
    HASHLING_SENSORS_SYSFS_ROOT: sysfs.root, HASHLING_BUDGET_INTERVAL_MS: '200',
  });
  const c = await Collector.connect(broker.url, ['hashling/nosensor/#']);
  try {
    await c.wait('hashling/nosensor/status', (j) => j.state === 'online', 30_000);
    await c.publish('hashling/nosensor/work', JSON.stringify({ v: 1, unit_id: 'long', job_id: 'l', algo: 'sha256d', header: HEADER, target: RARE, nonce_start: 0, nonce_end: 0xffffffff }));
    await c.wait('hashling/nosensor/telemetry', (j) => j.hashrate_hps['10s'] > 0, 20_000);
    rmSync(sysfs.zone, { recursive: true, force: true });
    const gone = Date.now();
    const ev = await c.wait('hashling/nosensor/events', (j) => j.code === 'E_SENSOR', 15_000);
    assert.equal(ev.json.type, 'warning');
    // Still hashing (at the fallback level) a few seconds later.
    await c.wait('hashling/nosensor/telemetry', (j, m) => m.at > gone + 3000 && j.hashrate_hps['10s'] > 0, 20_000);
    // The zone comes back (a driver reload): the agent reads it again.
    mkdirSync(sysfs.zone, { recursive: true });
    writeFileSync(join(sysfs.zone, 'type'), 'cpu-thermal\n');
    sysfs.setTemp(46);
    await c.wait('hashling/nosensor/telemetry', (j, m) => m.at > Date.now() - 1000 && j.temp_c === 46, 20_000);
    assert.equal(c.on('hashling/nosensor/events').filter((m) => m.json.code === 'E_SENSOR').length, 1, 'one warning per onset, not per tick');
    assert.equal(agent.proc.exitCode, null);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- agent\n${agent.output().slice(-2000)}`);
  } finally {
    await c.close();
    agent.proc.kill('SIGKILL');
  }
});

function tryMountTmpfs(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const fullDir = mkdtempSync(join(tmpdir(), 'hashling-full-'));
const canMount = process.getuid?.() === 0 && tryMountTmpfs(fullDir, '64k');

test('a full disk when config/set persists: error response, file unchanged, nothing applied, agent answers on', {
  timeout: 60_000, skip: canMount ? false : 'needs root to mount a 64 KiB tmpfs as the full disk',
}, async () => {
  const file = join(fullDir, 'agent.json');
  const original = `${JSON.stringify({ config: { writable: true }, telemetry: { interval_s: 1 } }, null, 2)}\n`;
  writeFileSync(file, original);
  // Fill the filesystem: the next write of the config's temp file fails with ENOSPC.
  try { writeFileSync(join(fullDir, 'filler'), Buffer.alloc(128 * 1024)); } catch { /* full now */ }
  const agent = spawnAgent(['--broker', broker.url, '--device-id', 'diskfull', '--threads', '1', '--config', file], { HASHLING_SENSORS_SYSFS_ROOT: coolSysfs().root });
  const c = await Collector.connect(broker.url, ['hashling/diskfull/#']);
  try {
    await c.wait('hashling/diskfull/status', (j) => j.state === 'online', 30_000);
    await new Promise((r) => setTimeout(r, 500)); // command subscriptions settle
    await c.publish('hashling/diskfull/cmd/config/set', JSON.stringify({ v: 1, transaction: 'full', telemetry: { interval_s: 7 } }));
    const res = await c.wait('hashling/diskfull/res/config/set', (j) => j.transaction === 'full', 15_000);
    assert.equal(res.json.status, 'error');
    assert.match(res.json.error.message, /ENOSPC/);
    assert.equal(readFileSync(file, 'utf8'), original, 'the config file is unchanged');
    const get = c.publish('hashling/diskfull/cmd/config/get', JSON.stringify({ v: 1, transaction: 'after', keys: ['telemetry.interval_s'] }));
    await get;
    const after = await c.wait('hashling/diskfull/res/config/get', (j) => j.transaction === 'after', 15_000);
    assert.equal(after.json.status, 'ok');
    assert.equal(JSON.stringify(after.json.data.config).includes('7'), false, 'nothing applied');
    assert.equal(agent.proc.exitCode, null);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- agent\n${agent.output().slice(-2000)}`);
  } finally {
    await c.close();
    agent.proc.kill('SIGKILL');
    await agent.exited;
    try { execFileSync('umount', [fullDir]); } catch { /* already gone */ }
    rmSync(fullDir, { recursive: true, force: true });
  }
});
