// `hashling fleet` against a real broker and agent: live hashrate within one
// telemetry interval, `forget` removes a device that is gone, and every
// subcommand gives up with exit 69 within its timeout + 2 s when the broker is down.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { freePort, startMosquitto, type Broker } from '../../harness/mosquitto.ts';
import { EXIT } from '../../lifecycle/exitCodes.ts';
import { BIN, spawnAgent, type AgentProcess } from '../helpers/agentProcess.ts';
import { Collector } from '../helpers/collector.ts';

let broker: Broker;
let agent: AgentProcess;

before(async () => { broker = await startMosquitto(); });
after(async () => {
  agent?.proc.kill('SIGKILL');
  await broker.stop();
});

function fleet(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, 'fleet', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    p.on('exit', (code) => resolve({ code, out, ms: performance.now() - t0 }));
    if (args[0] === 'watch') setTimeout(() => p.kill('SIGINT'), 6000);
  });
}

const HEADER = '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d00000000';

test('fleet list shows the live hashrate of a hashing device within one telemetry interval; forget removes a gone device', { timeout: 90_000 }, async () => {
  const c = await Collector.connect(broker.url, ['hashling/pi-list/#']);
  try {
    agent = spawnAgent(['--broker', broker.url, '--device-id', 'pi-list', '--threads', '1'], { HASHLING_TELEMETRY_INTERVAL_S: '3', HASHLING_BUDGET_MAX_CPU_PERCENT: '50' });
    await c.wait('hashling/pi-list/status', (j) => j.state === 'online', 30_000);
    await c.publish('hashling/pi-list/work', JSON.stringify({ v: 1, unit_id: 'long', job_id: 'l', algo: 'sha256d', header: HEADER, nonce_start: 0, nonce_end: 0xffffffff, target: '00'.repeat(32) }));
    await c.wait('hashling/pi-list/state', (j) => j.unit_id === 'long');
    // One telemetry interval (3 s) plus a second: the list waits for the device to report.
    const list = await fleet(['list', '--broker', broker.url], { HASHLING_TELEMETRY_INTERVAL_S: '3' });
    assert.equal(list.code, 0, list.out);
    const row = list.out.split('\n').find((l) => l.startsWith('pi-list'));
    assert.ok(row, list.out);
    assert.match(row, /^pi-list\s+(hashing|throttled)\s+\d+(\.\d+)? (k|M)H\/s/, 'a non-zero live hashrate');
    assert.match(row, /\s\ds ago\s/, 'last seen seconds ago, from its latest message');
    assert.ok(list.ms < 4000 + 3000, `listed after ${Math.round(list.ms)} ms`);
    agent.proc.kill('SIGTERM');
    assert.equal(await agent.exited, 0);
    const offline = await fleet(['list', '--broker', broker.url, '--wait', '0.5']);
    assert.match(offline.out, /^pi-list\s+offline/m);
    const forgot = await fleet(['forget', 'pi-list', '--broker', broker.url]);
    assert.equal(forgot.code, 0, forgot.out);
    assert.match(forgot.out, /forgot pi-list/);
    const after = await fleet(['list', '--broker', broker.url, '--wait', '0.5']);
    assert.doesNotMatch(after.out, /pi-list/, after.out);
    assert.match(after.out, /0 devices/);
  } finally {
    await c.close();
  }
});

test('with the broker down, list, watch, cmd and forget exit 69 within their timeout + 2 s', { timeout: 60_000 }, async () => {
  const down = `mqtt://127.0.0.1:${await freePort()}`;
  for (const args of [['list'], ['watch'], ['cmd', 'all', 'ping'], ['forget', 'x']]) {
    const r = await fleet([...args, '--broker', down, '--timeout', '2']);
    assert.equal(r.code, EXIT.UNAVAILABLE, `${args.join(' ')}: ${r.out}`);
    assert.match(r.out, /E_UNAVAILABLE not connected to mqtt:\/\/127\.0\.0\.1:\d+\/? after 2000 ms/);
    assert.ok(r.ms < 2000 + 2000 + 1500, `${args.join(' ')} took ${Math.round(r.ms)} ms (node start included)`);
  }
});
