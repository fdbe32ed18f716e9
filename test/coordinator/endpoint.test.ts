// The Stratum endpoint end to end: a pool stand-in upstream, the coordinator
// with coordinator.stratum_listen, a private Mosquitto, and Stratum miners of
// our own (TestMiner) downstream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { startRig, type Rig } from './helpers/rig.ts';
import { NOTIFY_RAW } from './helpers/fixtures.ts';
import { TestMiner } from './helpers/stratumMiner.ts';
import { Collector } from '../helpers/collector.ts';
import { spawnHashling } from '../helpers/agentProcess.ts';

// Miner difficulty = pool difficulty: every verified miner share is also a pool share.
const POOL_DIFF = 2e-5;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function endpointRig(coordinator: Record<string, unknown> = {}): Promise<{ rig: Rig; port: number }> {
  const port = await freePort();
  const rig = await startRig({
    script: { greeting: [JSON.stringify({ id: null, method: 'mining.set_difficulty', params: [POOL_DIFF] }), NOTIFY_RAW] },
    coordinator: { stratum_listen: `127.0.0.1:${port}`, stratum_start_difficulty: 2e-5, pool_suggest_difficulty: 'off', ...coordinator },
  });
  return { rig, port };
}

test('a Stratum miner gets work, its shares are verified and counted, pool shares reach the pool, and it is a device of the fleet', { timeout: 60_000 }, async () => {
  const { rig, port } = await endpointRig({ stats_interval_s: 0.5 });
  const watch = await Collector.connect(rig.broker.url, ['hashling/worker1/#', 'homeassistant/device/worker1/config']);
  const miner = new TestMiner({ port, user: 'bc1qexampleaddress.worker1', userAgent: 'cpuminer/2.5.1', versionRolling: 0x1fffe000 });
  try {
    const hs = await miner.connect();
    assert.equal(hs.authorize.result, true);
    assert.equal(hs.configure.result['version-rolling'], true);
    assert.equal(hs.configure.result['version-rolling.mask'], '1fffe000', 'the pool\'s mask, granted to the miner');
    assert.ok(parseInt(miner.extranonce1.slice(0, 2), 16) >= 0x80, `extranonce1 ${miner.extranonce1} in the miners' half`);
    assert.equal(miner.extranonce2Size, 2, 'upstream 4 bytes = 2 of prefix + 2 for the miner');
    await miner.waitFor(() => miner.job !== null, 5000, 'a job');
    assert.equal(miner.difficulty, 2e-5);
    // Half the shares with rolled version bits: the pool applies BIP310 to them.
    const plain = await miner.mine(6);
    const rolled = await miner.mine(6, 20_000_000, 0x00004000);
    const all = [...plain, ...rolled];
    assert.ok(all.every((r) => r.reply.result === true), JSON.stringify(all.filter((r) => r.reply.result !== true)));
    // A forged share: right job, wrong nonce for its claim → the endpoint re-hashes and refuses it.
    const forged = await miner.call('mining.submit', [miner.opts.user, miner.job!.id, '0000', miner.job!.params[7], 'ffffffff']);
    assert.deepEqual(forged.error?.[0], 23);
    const dup = await miner.call('mining.submit', all[0]!.params);
    assert.deepEqual(dup.error?.[0], 22);
    const stats = rig.coordinator.stats() as any;
    const m = stats.stratum_miners.worker1;
    assert.equal(m.accepted, 12);
    assert.deepEqual(m.rejected, { low_difficulty: 1, duplicate: 1 });
    // Every share met the pool's difficulty: all went upstream with the miner's
    // prefix, the rolled ones with their version bits, and the pool (applying
    // BIP310 itself) accepted each.
    const pool = rig.pools[0]!;
    await pool.waitFor(() => pool.submits.length >= 12, 10_000, 'the miner\'s pool shares');
    assert.ok(pool.submits.every((s) => s.accepted && s.params[2]!.startsWith(miner.extranonce1)), JSON.stringify(pool.submits));
    assert.equal(pool.submits.filter((s) => s.params[5] === '00004000').length, 6);
    // The fleet sees it like an agent.
    await watch.wait('hashling/worker1/status', (j) => j.state === 'online');
    const late = await Collector.connect(rig.broker.url, ['hashling/worker1/status']);
    const status = await late.wait('hashling/worker1/status');
    await late.close();
    assert.deepEqual([status.json.state, status.retain], ['online', true], 'retained for late subscribers');
    const info = await watch.wait('hashling/worker1/info');
    assert.equal(info.json.transport, 'stratum');
    assert.equal(info.json.user_agent, 'cpuminer/2.5.1');
    const tel = await watch.wait('hashling/worker1/telemetry', (j) => j.shares_found >= 12, 15_000);
    assert.ok(tel.json.hashrate_hps['60s'] > 0);
    const ha = await watch.wait('homeassistant/device/worker1/config');
    assert.deepEqual(ha.json.dev.ids, ['hashling_worker1']);
    assert.equal(ha.json.availability[0].topic, 'hashling/worker1/status');
    // No agent units are ever sent to it.
    assert.equal(rig.devices.on('hashling/worker1/work').length, 0);
    // `hashling fleet list` shows it.
    const list = spawnHashling(['fleet', 'list', '--broker', rig.broker.url, '--wait', '1']);
    assert.equal(await list.exited, 0, list.output());
    assert.match(list.output(), /^worker1\s+online/m);
    // The TCP connection drops: its Last Will, `lost`, retained.
    miner.close();
    const lost = await watch.wait('hashling/worker1/status', (j) => j.state === 'lost', 5000);
    assert.equal(lost.json.state, 'lost');
  } finally {
    miner.close();
    await watch.close();
    await rig.stop();
  }
});

test('authorization: password, allow-list, ids of agents; the worker name maps to a sanitized device id', { timeout: 30_000 }, async () => {
  const { rig, port } = await endpointRig({ stratum_password: 's3cret', stratum_workers: ['rig-1', 'rig_2'] });
  try {
    const wrongPw = new TestMiner({ port, user: 'addr.rig-1', password: 'nope' });
    assert.equal((await wrongPw.connect()).authorize.error?.[0], 24);
    wrongPw.close();
    const notListed = new TestMiner({ port, user: 'addr.other', password: 's3cret' });
    assert.match(String((await notListed.connect()).authorize.error?.[1]), /not allowed/);
    notListed.close();
    // Without a dot the whole name is the id; characters outside [A-Za-z0-9_-] become "-".
    const ok = new TestMiner({ port, user: 'rig_2', password: 's3cret' });
    assert.equal((await ok.connect()).authorize.result, true);
    const twice = new TestMiner({ port, user: 'x.rig_2', password: 's3cret' });
    assert.match(String((await twice.connect()).authorize.error?.[1]), /already connected/);
    twice.close();
    ok.close();
    // An agent of the fleet owns its id: a miner cannot take it.
    await rig.online('rig-1', { benchmark_hps: { sha256d: 1000 } });
    await rig.devices.wait('hashling/rig-1/work');
    const thief = new TestMiner({ port, user: 'addr.rig-1', password: 's3cret' });
    assert.match(String((await thief.connect()).authorize.error?.[1]), /belongs to an agent/);
    thief.close();
  } finally {
    await rig.stop();
  }
});

test('bounded input: oversized lines and junk get coded errors, floods are rate limited, persistent abuse is disconnected', { timeout: 30_000 }, async () => {
  const { rig, port } = await endpointRig();
  try {
    const m = new TestMiner({ port, user: 'a.flood' });
    await m.connect();
    m.write(`${'x'.repeat(20_000)}\n`);
    const ping = await m.call('mining.extranonce.subscribe', []);
    assert.equal(ping.result, true, 'still served after an oversized line');
    assert.ok(rig.log.some((l) => l.startsWith('E_STRATUM miner flood') && /longer than/.test(l)), rig.log.join('\n'));
    const unknown = await m.call('mining.get_transactions', []);
    assert.equal(unknown.error?.[0], 20);
    // 400 calls at once: beyond the burst they are refused, not processed, and
    // after 50 refusals the connection is closed.
    const before = m.received.length;
    for (let i = 0; i < 400; i++) void m.call('mining.extranonce.subscribe', []);
    await m.waitFor(() => m.closed, 5000, 'the abusive connection to be closed');
    const replies = m.received.slice(before);
    assert.ok(replies.filter((r) => r.result === true).length >= 150, 'the burst was served');
    assert.ok(replies.some((r) => r.error?.[1] === 'rate limited'), 'the rest was rate limited');
    assert.ok(replies.length < 400, 'nothing after the close');
    // Other miners are unaffected.
    const other = new TestMiner({ port, user: 'a.calm' });
    assert.equal((await other.connect()).authorize.result, true);
    other.close();
  } finally {
    await rig.stop();
  }
});

test('the endpoint speaks TLS when a certificate is configured', { timeout: 30_000 }, async () => {
  const { execFileSync } = await import('node:child_process');
  const { mkdtempSync, rmSync, readFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'hashling-ep-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], { stdio: 'ignore' });
    const { rig, port } = await endpointRig({ stratum_tls_cert: join(dir, 'c.pem'), stratum_tls_key: join(dir, 'k.pem') });
    try {
      const m = new TestMiner({ port, user: 'a.secure', tlsCa: readFileSync(join(dir, 'c.pem'), 'utf8') });
      assert.equal((await m.connect()).authorize.result, true);
      await m.waitFor(() => m.job !== null, 5000, 'a job over TLS');
      const [r] = await m.mine(1);
      assert.equal(r!.reply.result, true);
      m.close();
      assert.ok(rig.log.some((l) => l.includes('stratum+ssl://127.0.0.1')), rig.log.join('\n'));
    } finally {
      await rig.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
