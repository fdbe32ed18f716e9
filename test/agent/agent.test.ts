// The Agent with a fake link and pool and a fake clock: expiry timers that a
// Node timer can hold, units too easy to be honest, a share storm, and the
// duplicate-id rule. (Real broker and threads: agent.integration.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Agent, type AgentLink, type AgentPool } from '../../agent/agent.ts';
import type { RunOutcome, RunRequest } from '../../agent/pool/workerPool.ts';
import { getAlgoModule } from '../../kernels/registry.ts';
import { hexToBytes } from '../../kernels/hex.ts';
import { statusPayload } from '../../protocol/payloads.ts';
import type { LinkMessage } from '../../transport/mqttLink.ts';
import { FakeClock } from '../helpers/fakeClock.ts';

const HEADER = '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d00000000';
const HARD = '00'.repeat(32);

class FakePool extends EventEmitter {
  threads = 2;
  runs: { req: RunRequest; onShare: (n: number) => void; resolve: (o: RunOutcome) => void }[] = [];
  cancels = 0;
  run(req: RunRequest, onShare: (n: number) => void): Promise<RunOutcome> {
    return new Promise((resolve) => this.runs.push({ req, onShare, resolve }));
  }
  cancel(): void {
    this.cancels++;
    const r = this.runs.at(-1);
    r?.resolve({ status: 'cancelled', hashes: 1 });
  }
  setLevel(): void {}
}

function rig() {
  const clock = new FakeClock(1_800_000_000_000);
  const subs = new Map<string, (m: LinkMessage) => void>();
  const sent: { topic: string; body: Record<string, unknown>; retained: boolean }[] = [];
  const link = Object.assign(new EventEmitter(), {
    outboxLength: 0,
    setRetained: (topic: string, payload: string | (() => string)) => { sent.push({ topic, body: JSON.parse(typeof payload === 'function' ? payload() : payload), retained: true }); },
    subscribe: (filter: string, _q: number, fn: (m: LinkMessage) => void) => { subs.set(filter, fn); },
    publishVolatile: (topic: string, payload: string) => { sent.push({ topic, body: JSON.parse(payload), retained: false }); },
    publishReliable: (topic: string, payload: string) => { sent.push({ topic, body: JSON.parse(payload), retained: false }); },
    ack: () => true,
  }) as unknown as AgentLink;
  const pool = new FakePool();
  const fatal: string[] = [];
  const agent = new Agent({
    base: 'h', id: 'd', queueSize: 8, telemetryIntervalS: 10, link, pool: pool as unknown as AgentPool,
    kernels: { sha256d: 'sha256d-js' }, session: { session: 'bbbb', started_at: clock.now() }, clock, log: () => {},
    info: { version: 't', platform: 'linux', arch: 'x64', model: 'm', cores: 2, mem_mb: 1, groups: [], algorithms: ['sha256d'], kernels: {}, threads: 2, benchmark_hps: {}, config_digest: 'x' },
    onFatal: (e) => fatal.push(e.code),
  });
  const deliver = (topic: string, body: unknown, retain = false) => subs.get(topic)!({ topic, payload: Buffer.from(JSON.stringify(body)), retain, packet: {} as LinkMessage['packet'] });
  const work = (u: Record<string, unknown>) => deliver('h/d/work', { v: 1, job_id: 'j', algo: 'sha256d', header: HEADER, target: HARD, nonce_start: 0, nonce_end: 999, ...u });
  const on = (leaf: string) => sent.filter((m) => m.topic === `h/d/${leaf}`).map((m) => m.body);
  return { clock, link, pool, agent, deliver, work, on, fatal, sent };
}

const flush = () => new Promise((r) => setImmediate(r));

test('an expires_at further than a day ahead runs as no expiry; a near one expires exactly then', async () => {
  const r = rig();
  r.agent.start();
  const timersIdle = r.clock.pending;
  r.work({ unit_id: 'far', expires_at: r.clock.now() + 30 * 86_400_000 });
  await flush();
  assert.equal(r.pool.runs.length, 1);
  assert.equal(r.clock.pending, timersIdle, 'no timer armed for a far expiry (a 2^31 ms timer would fire at once)');
  r.clock.advance(60_000);
  assert.equal(r.pool.cancels, 0);
  r.pool.runs[0]!.resolve({ status: 'done', hashes: 1000 });
  await flush();
  r.work({ unit_id: 'near', expires_at: r.clock.now() + 5000 });
  await flush();
  r.clock.advance(4999);
  assert.equal(r.pool.cancels, 0);
  r.clock.advance(1);
  await flush();
  assert.equal(r.pool.cancels, 1);
  await flush();
  assert.deepEqual(r.on('results').map((x) => [x.unit_id, x.status]), [['far', 'done'], ['near', 'expired']]);
  await r.agent.stop();
});

test('a unit whose target expects more than 65,536 shares is refused before it runs', async () => {
  const r = rig();
  r.agent.start();
  r.work({ unit_id: 'ones', target: 'ff'.repeat(32), nonce_end: 0xffffffff });
  r.work({ unit_id: 'fair', target: '00000fff' + 'ff'.repeat(28), nonce_end: 0xffffffff }); // ~4 shares
  await flush();
  const ev = r.on('events').find((e) => e.unit_id === 'ones')!;
  assert.equal(ev.code, 'E_BAD_WORK_UNIT');
  assert.match(String(ev.message), /target too easy/);
  assert.deepEqual(r.pool.runs.map((x) => x.req.total), [0x100000000], 'only the fair unit runs');
  await r.agent.stop();
});

test('a unit that yields far more shares than its target allows is cancelled; the storm stops at the ceiling', async () => {
  const r = rig();
  r.agent.start();
  // 1 share per 256 hashes over 1000 nonces: ~4 expected, so the ceiling is 256. The fake
  // kernel reports 400 real shares (of nonces past the range: a kernel gone wrong).
  const target = '00ffffff' + 'ff'.repeat(28);
  r.work({ unit_id: 'storm', target, nonce_end: 999 });
  await flush();
  const mod = getAlgoModule('sha256d')!;
  const job = { algo: 'sha256d' as const, header: hexToBytes(HEADER), target: hexToBytes(target) };
  const shares: number[] = [];
  for (let n = 0; shares.length < 400; n++) if (mod.isShare(job, mod.hashAt(job, n))) shares.push(n);
  for (const n of shares) r.pool.runs[0]!.onShare(n);
  await flush();
  assert.equal(r.pool.cancels, 1);
  assert.equal(r.on('shares').length, 256, 'shares past the ceiling are not published');
  assert.ok(r.on('events').some((e) => e.code === 'E_BAD_WORK_UNIT' && /far more shares/.test(String(e.message))));
  await r.agent.stop();
});

test('another session online under this id: the later agent yields only after losing its connection; the earlier re-asserts', async () => {
  const r = rig();
  r.agent.start();
  const older = statusPayload('online', 1, { session: 'aaaa', started_at: r.clock.now() - 60_000 });
  r.deliver('h/d/status', JSON.parse(older), true);
  assert.deepEqual(r.fatal, [], 'a fresh start does not yield to a status it found (it may be a dead predecessor\'s)');
  (r.link as unknown as EventEmitter).emit('disconnect');
  r.deliver('h/d/status', JSON.parse(older), true);
  assert.deepEqual(r.fatal, ['E_DUPLICATE_ID']);
  await r.agent.stop();
  assert.ok(!r.sent.some((m) => m.topic === 'h/d/status' && m.body.state === 'offline'), 'a yielding agent leaves the other agent\'s status alone');
  const e = rig();
  e.agent.start();
  const before = e.sent.filter((m) => m.topic === 'h/d/status').length;
  e.deliver('h/d/status', JSON.parse(statusPayload('online', 1, { session: 'cccc', started_at: e.clock.now() + 60_000 })), true);
  assert.equal(e.sent.filter((m) => m.topic === 'h/d/status' && m.body.state === 'online').length, before + 1, 'the earlier agent re-asserts its online');
  assert.deepEqual(e.fatal, []);
  await e.agent.stop();
});
