// The agent as a device runs it: a child process against a private Mosquitto,
// driven only through the wire contract.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startMosquitto, type Broker } from '../../harness/mosquitto.ts';
import { spawnAgent, type AgentProcess } from '../helpers/agentProcess.ts';
import { Collector } from '../helpers/collector.ts';

import { GENESIS as genesis } from '../fixtures/chain.ts';
// Block 125552 (not among the repo's vectors): the worked example of the Bitcoin
// wiki's "Block hashing algorithm" page; hash re-computed here with node:crypto.
const BLOCK_125552 = {
  header: '0100000081cd02ab7e569e8bcd9317e2fe99f2de44d49ab2b8851ba4a308000000000000e320b6c2fffc8d750423db8b1eb942ae710e951ed797f7affc8892b0f1fc122bc7f5d74df2b9441a42a14695',
  nonce: 2504433986,
  hash: '00000000000000001e8d6829a8a21adc5d38d0a473b144b6765798e61f98bd1d',
  target: '00000000000044b9f20000000000000000000000000000000000000000000000',
};
const EASY = '0000ffff' + 'ff'.repeat(28);
const HARD = '00'.repeat(32);

let broker: Broker;
let agent: AgentProcess;
let c: Collector;
const ID = 'it-dev';
const T = (leaf: string) => `hashling/${ID}/${leaf}`;

function unit(fields: Record<string, unknown>) {
  return JSON.stringify({ v: 1, algo: 'sha256d', header: genesis.header_hex, target: genesis.target, ...fields });
}

describe('agent over a real broker', { timeout: 120_000 }, () => {
  before(async () => {
    broker = await startMosquitto();
    c = await Collector.connect(broker.url, ['hashling/#']);
    agent = spawnAgent(['--broker', broker.url, '--device-id', ID, '--threads', '2']);
    await c.wait(T('status'), (j) => j?.state === 'online', 20_000);
  });
  after(async () => {
    if (agent.proc.exitCode === null) agent.proc.kill('SIGKILL');
    await c.close();
    await broker.stop();
  });

  test('announces retained status, info and state on connect', async () => {
    const info = await c.wait(T('info'));
    assert.equal(info.retain, false); // live delivery; retained flag is checked on a late subscriber below
    assert.equal(info.json.v, 1);
    assert.ok(info.json.algorithms.includes('sha256d'));
    assert.equal(info.json.cores > 0, true);
    // Why each kernel was chosen, with the timed rates that also give benchmark_hps.
    const plan = info.json.kernel_plan.sha256d;
    assert.equal(plan.kernel, info.json.kernels.sha256d);
    assert.ok(['timed', 'cached', 'only candidate'].includes(plan.reason), plan.reason);
    assert.ok(plan.rates_hps[plan.kernel] > 0);
    assert.equal(info.json.benchmark_hps.sha256d, Math.round(plan.rates_hps[plan.kernel] * info.json.threads));
    const late = await Collector.connect(broker.url, [T('status'), T('info'), T('state')]);
    try {
      const s = await late.wait(T('status'));
      assert.equal(s.retain, true);
      assert.equal(s.json.state, 'online');
      assert.equal((await late.wait(T('info'))).retain, true);
      assert.equal((await late.wait(T('state'))).json.mode, 'idle');
    } finally {
      await late.close();
    }
  });

  test('a unit holding the genesis nonce yields exactly that share and an exact done result', async () => {
    const n = genesis.nonce;
    await c.publish(T('work'), unit({ unit_id: 'gen-1', job_id: 'g', nonce_start: n - 20_000, nonce_end: n + 20_000 }));
    const res = await c.wait(T('results'), (j) => j.unit_id === 'gen-1');
    assert.deepEqual({ ...res.json, elapsed_ms: 0 }, { v: 1, unit_id: 'gen-1', job_id: 'g', status: 'done', hashes: 40_001, elapsed_ms: 0, shares: 1 });
    const shares = c.on(T('shares')).filter((m) => m.json.unit_id === 'gen-1');
    assert.equal(shares.length, 1);
    assert.equal(shares[0].json.nonce, n);
    assert.equal(shares[0].json.hash, genesis.block_hash);
    assert.equal(shares[0].json.job_id, 'g');
  });

  test('the real nonce of block 125552 is found with its hash', async () => {
    const n = BLOCK_125552.nonce;
    await c.publish(T('work'), JSON.stringify({ v: 1, unit_id: 'b125552', job_id: 'b', algo: 'sha256d', header: BLOCK_125552.header.toUpperCase(), target: BLOCK_125552.target.toUpperCase(), nonce_start: n - 30_000, nonce_end: n + 29_999 }));
    const res = await c.wait(T('results'), (j) => j.unit_id === 'b125552');
    assert.equal(res.json.hashes, 60_000);
    assert.equal(res.json.shares, 1);
    const share = await c.wait(T('shares'), (j) => j.unit_id === 'b125552');
    assert.deepEqual([share.json.nonce, share.json.hash], [n, BLOCK_125552.hash]);
  });

  test('a window ending at nonce 0xFFFFFFFF counts every nonce and finds every easy share', async () => {
    await c.publish(T('work'), unit({ unit_id: 'top', job_id: 't', target: EASY, nonce_start: 0xffffffff - 99_999, nonce_end: 0xffffffff }));
    const res = await c.wait(T('results'), (j) => j.unit_id === 'top');
    assert.equal(res.json.hashes, 100_000);
    const shares = c.on(T('shares')).filter((m) => m.json.unit_id === 'top');
    assert.equal(shares.length, res.json.shares);
    assert.ok(shares.length >= 1, 'an easy target over 100k nonces yields shares');
    for (const s of shares) assert.ok(s.json.hash <= EASY && s.json.nonce >= 0xffffffff - 99_999);
  });

  test('a clean unit of a new job cancels the running one within 500 ms and then runs', async () => {
    await c.publish(T('work'), unit({ unit_id: 'long-1', job_id: 'old', target: HARD, nonce_start: 0, nonce_end: 0xffffffff }));
    await c.publish(T('work'), unit({ unit_id: 'long-2', job_id: 'old', target: HARD, nonce_start: 0, nonce_end: 0xffffffff }));
    await c.wait(T('state'), (j) => j.unit_id === 'long-1');
    // `state` names the unit as it is handed to the threads; let them finish a few
    // batches, so the cancel stops a unit that has hashed (a cancel before the first
    // batch is answered with hashes 0, exactly).
    await new Promise((r) => setTimeout(r, 200));
    const sent = Date.now();
    await c.publish(T('work'), unit({ unit_id: 'fresh', job_id: 'new', clean: true, target: HARD, nonce_start: 0, nonce_end: 49_999 }));
    const r1 = await c.wait(T('results'), (j) => j.unit_id === 'long-1');
    const r2 = await c.wait(T('results'), (j) => j.unit_id === 'long-2');
    assert.equal(r1.json.status, 'cancelled');
    assert.ok(r1.at - sent < 500, `cancel took ${r1.at - sent} ms`);
    assert.ok(r1.json.hashes > 0 && r1.json.hashes < 0xffffffff);
    assert.deepEqual([r2.json.status, r2.json.hashes], ['cancelled', 0]);
    const r3 = await c.wait(T('results'), (j) => j.unit_id === 'fresh');
    assert.deepEqual([r3.json.status, r3.json.hashes], ['done', 50_000]);
  });

  test('a unit stops with `expired` at expires_at', async () => {
    await c.publish(T('work'), unit({ unit_id: 'exp', job_id: 'e', target: HARD, nonce_start: 0, nonce_end: 0xffffffff, expires_at: Date.now() + 700 }));
    const r = await c.wait(T('results'), (j) => j.unit_id === 'exp');
    assert.equal(r.json.status, 'expired');
    assert.ok(r.json.elapsed_ms < 2000);
  });

  test('every bad payload gets a coded error event and the agent keeps working', async () => {
    const bad: [string, string][] = [
      ['{not json', 'E_BAD_JSON'],
      [unit({ unit_id: 'bv', job_id: 'x', v: 7, nonce_start: 0, nonce_end: 1 }), 'E_BAD_VERSION'],
      [unit({ unit_id: 'ba', job_id: 'x', algo: 'ethash', nonce_start: 0, nonce_end: 1 }), 'E_UNKNOWN_ALGO'],
      [unit({ unit_id: 'bh', job_id: 'x', header: 'abc', nonce_start: 0, nonce_end: 1 }), 'E_BAD_WORK_UNIT'],
      [unit({ unit_id: 'bn', job_id: 'x', nonce_start: 9, nonce_end: 1 }), 'E_BAD_WORK_UNIT'],
      ['[]', 'E_BAD_BATCH'],
      [JSON.stringify({ pad: 'x'.repeat(70_000) }), 'E_TOO_LARGE'],
    ];
    const before = c.on(T('events')).length;
    for (const [payload] of bad) await c.publish(T('work'), payload);
    for (const [, code] of bad) await c.wait(T('events'), (j) => j.code === code);
    const events = c.on(T('events')).slice(before);
    assert.ok(events.every((e) => e.json.v === 1 && e.json.type === 'error' && typeof e.json.message === 'string'));
    assert.equal(events.find((e) => e.json.code === 'E_BAD_VERSION')?.json.unit_id, 'bv');
    await c.publish(T('work'), unit({ unit_id: 'after-bad', job_id: 'ok', target: HARD, nonce_start: 0, nonce_end: 999 }));
    const r = await c.wait(T('results'), (j) => j.unit_id === 'after-bad');
    assert.equal(r.json.status, 'done');
    assert.equal(agent.proc.exitCode, null);
  });

  test('a repeated unit_id is ignored with a warning', async () => {
    await c.publish(T('work'), unit({ unit_id: 'after-bad', job_id: 'ok', target: HARD, nonce_start: 0, nonce_end: 999 }));
    const w = await c.wait(T('events'), (j) => j.code === 'E_DUPLICATE_UNIT');
    assert.equal(w.json.type, 'warning');
    assert.equal(c.on(T('results')).filter((m) => m.json.unit_id === 'after-bad').length, 1);
  });

  test('telemetry reports hashrate windows, counters and units', async () => {
    const t = await c.wait(T('telemetry'), (j) => j.hashes_total > 0);
    assert.equal(t.retain, false);
    for (const k of ['10s', '60s', '15m']) assert.equal(typeof t.json.hashrate_hps[k], 'number');
    assert.ok(t.json.units_done >= 1 && t.json.shares_found >= 1);
    assert.ok(t.json.rss_mb > 0 && t.json.uptime_s >= 0);
    assert.ok('temp_c' in t.json && 'load' in t.json);
  });

  test('SIGTERM publishes retained offline and exits 0 within 5 s', async () => {
    await c.publish(T('work'), unit({ unit_id: 'running-at-stop', job_id: 's', target: HARD, nonce_start: 0, nonce_end: 0xffffffff }));
    await c.wait(T('state'), (j) => j.unit_id === 'running-at-stop');
    const t0 = Date.now();
    agent.proc.kill('SIGTERM');
    assert.equal(await agent.exited, 0);
    assert.ok(Date.now() - t0 < 5000);
    const s = await c.wait(T('status'), (j) => j.state === 'offline');
    assert.equal(s.json.v, 1);
    const r = await c.wait(T('results'), (j) => j.unit_id === 'running-at-stop');
    assert.equal(r.json.status, 'cancelled');
  });

  test('SIGKILL leaves the Last Will: retained `lost`', async () => {
    const a2 = spawnAgent(['--broker', broker.url, '--device-id', 'victim', '--threads', '1'], { HASHLING_BROKER_KEEPALIVE_S: '2' });
    await c.wait('hashling/victim/status', (j) => j.state === 'online', 20_000);
    a2.proc.kill('SIGKILL');
    await a2.exited;
    await c.wait('hashling/victim/status', (j) => j.state === 'lost', 10_000);
    const late = await Collector.connect(broker.url, ['hashling/victim/status']);
    try {
      const s = await late.wait('hashling/victim/status');
      assert.deepEqual([s.retain, s.json.state], [true, 'lost']);
    } finally {
      await late.close();
    }
  });
});
