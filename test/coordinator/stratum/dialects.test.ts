// The pool set against pools that behave like public-pool and ckpool, and the
// fault cases a live run showed: session resumption with in-flight submits,
// client.reconnect, reused job ids, reject reasons, difficulty changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StratumPoolSet, type PoolSetOptions } from '../../../coordinator/stratum/poolSet.ts';
import { Extranonce2Space, JobCarver } from '../../../coordinator/carving.ts';
import { difficultyToTarget } from '../../../coordinator/stratum/difficulty.ts';
import type { ShareSubmission, SourceJob } from '../../../coordinator/source.ts';
import { TestStratumServer, type ServerScript } from '../helpers/stratumServer.ts';
import { NOTIFY_RAW, publicScript, scanUnit } from '../helpers/fixtures.ts';
import { GENESIS_JOB } from '../../fixtures/chain.ts';

const MASK = { 'version-rolling': true, 'version-rolling.mask': '1fffe000' };

function pool(dialect: 'public-pool' | 'ckpool', over: Partial<ServerScript> = {}): Promise<TestStratumServer> {
  return new TestStratumServer({ subscribeResult: null, configureResult: MASK, greeting: [NOTIFY_RAW], dialect, ...over }).listen();
}

function poolSet(urls: string[], over: Partial<PoolSetOptions> = {}) {
  const set = new StratumPoolSet({
    pools: urls, user: 'addr.rig', password: 'x', backoff: { minMs: 50, maxMs: 400, fastMs: 200, fastForMs: 60_000 }, primaryRetryMs: 300,
    connection: { requestTimeoutMs: 2000 }, resumeGraceMs: 1000, ...over,
  });
  const jobs: SourceJob[] = [];
  const log: string[] = [];
  let voids = 0;
  set.on('job', (j) => jobs.push(j));
  set.on('log', (l) => log.push(l));
  set.on('void', () => { voids++; });
  return { set, jobs, log, voids: () => voids };
}

async function until(pred: () => boolean, ms: number, what: string, log: string[] = []): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${log.slice(-15).join('\n')}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A real share of `job` at `difficulty` (brute force over carved units). */
function findShare(job: SourceJob, difficulty: number, below?: number): ShareSubmission {
  const target = difficultyToTarget(difficulty, job.algo);
  const floor = below === undefined ? -1n : difficultyToTarget(below, job.algo);
  const carver = new JobCarver(job, new Extranonce2Space(job.extranonce2Size, { first: 1000n }), { versionBits: 0 });
  // Small units: the search stops at the first one holding a share, and the
  // suite runs beside other work on two cores.
  for (let k = 0; k < 400; k++) {
    const u = carver.carve({ deviceId: 'x', nonceCount: 50_000, target, now: 0, expiresAt: 1, clean: false })!;
    for (const s of scanUnit(u)) {
      const v = BigInt(`0x${s.hash}`);
      if (v > floor) return { job, extranonce2: u.extranonce2, versionBits: u.versionBits, nonce: s.nonce, hashValue: v };
    }
  }
  throw new Error('no share found');
}

test('public-pool: the suggestion goes before authorize, so the session starts at it instead of 16384', { timeout: 10_000 }, async () => {
  const server = await pool('public-pool');
  const { set, jobs } = poolSet([server.url]);
  try {
    set.suggestDifficulty(0.002);
    await set.start();
    await until(() => jobs.length >= 1 && server.received.length >= 5, 3000, 'the first job');
    const order = server.received.map((m) => m.method);
    assert.deepEqual(order.slice(0, 5), ['mining.configure', 'mining.subscribe', 'mining.suggest_difficulty', 'mining.authorize', 'mining.extranonce.subscribe']);
    assert.equal(server.clientDifficulty, 0.002);
    assert.equal(set.status().difficulty, 0.002);
    assert.equal(jobs[0]!.poolTarget, difficultyToTarget(0.002));
    // Unpadded version/nbits/ntime parse: the genesis version "00000001" comes as "1".
    assert.equal(jobs[0]!.template.version, 1);
  } finally {
    await set.stop();
    await server.close();
  }
});

test('ckpool: a suggestion before authorize is ignored, so it is sent again after the first job as an integer', { timeout: 10_000 }, async () => {
  const server = await pool('ckpool', { startDifficulty: 42 });
  const { set, log } = poolSet([server.url]);
  try {
    set.suggestDifficulty(3.4);
    await set.start();
    await until(() => set.status().difficulty === 3, 3000, 'difficulty 3', log);
    const suggestions = server.received.filter((m) => m.method === 'mining.suggest_difficulty').map((m) => m.params[0]);
    assert.deepEqual(suggestions, [3, 3]);
  } finally {
    await set.stop();
    await server.close();
  }
});

test('ckpool that drops clients calling anything before subscribe: works once mining.configure is switched off', { timeout: 10_000 }, async () => {
  const server = await pool('ckpool', { dropBeforeSubscribe: true });
  const on = poolSet([server.url]);
  try {
    await on.set.start();
    await until(() => on.log.some((l) => l.includes('failed')), 3000, 'a failed handshake', on.log);
    assert.equal(on.set.status().state, 'connecting');
  } finally {
    await on.set.stop();
  }
  const off = poolSet([server.url], { connection: { requestTimeoutMs: 2000, configure: false } });
  try {
    await off.set.start();
    await until(() => off.jobs.length >= 1, 3000, 'a job without mining.configure', off.log);
    assert.equal(off.jobs[0]!.versionMask, null, 'no rolling without mining.configure');
  } finally {
    await off.set.stop();
    await server.close();
  }
});

test('ckpool judges by the job\'s difficulty, public-pool by the current one: only shares meeting both go up; reject reasons are counted', { timeout: 20_000 }, async () => {
  const server = await pool('ckpool', { startDifficulty: 1, minDifficulty: 0.00001 });
  const { set, jobs, log } = poolSet([server.url], { suggest: { mode: 'off' } });
  try {
    await set.start();
    await until(() => jobs.length >= 1, 3000, 'a job', log);
    const job = jobs[0]!;
    // The difficulty rises after the job was sent: a share meeting only the old one is withheld.
    server.setDifficulty(0.00001);
    await until(() => set.status().difficulty === 0.00001, 3000, 'difficulty 0.00001', log);
    server.setDifficulty(0.00004);
    await until(() => set.status().difficulty === 0.00004, 3000, 'difficulty 0.00004', log);
    const weak = findShare(job, 0.00001, 0.00004);
    assert.deepEqual(await set.submit(weak), { status: 'below_target' });
    const strong = findShare(job, 0.00004);
    assert.equal((await set.submit(strong)).status, 'rejected', 'ckpool judges the job at its own difficulty (1)');
    // A share the pool rejects: its reason text is kept and counted.
    assert.deepEqual(set.status().rejected_reasons, { 'above target': 1 });
    assert.ok(log.some((l) => l.includes('rejected (Above target)')), log.join('\n'));
    assert.equal(server.submits.length, 1, 'the weak share was never sent');
  } finally {
    await set.stop();
    await server.close();
  }
});

test('a submit in flight when the pool drops is resent on the resumed session (same extranonce1) and judged once', { timeout: 15_000 }, async () => {
  const server = await pool('ckpool', { startDifficulty: 0.0001, minDifficulty: 0.0001 });
  const { set, jobs, log, voids } = poolSet([server.url], { suggest: { mode: 'off' } });
  try {
    await set.start();
    await until(() => jobs.length >= 1, 3000, 'a job', log);
    const share = findShare(jobs[0]!, 0.0001);
    server.crashOnNextSubmit = true;
    const out = await set.submit(share);
    assert.deepEqual(out, { status: 'accepted' });
    assert.equal(server.connections, 2);
    const subscribes = server.received.filter((m) => m.method === 'mining.subscribe');
    assert.equal(subscribes[1]!.params[1], jobs[0]!.extranonce1, 'resumed with the previous session id');
    assert.equal(set.status().resent, 1);
    assert.equal(server.submits.length, 1, 'judged once');
    assert.equal(voids(), 0, 'the jobs were kept: nothing voided');
  } finally {
    await set.stop();
    await server.close();
  }
});

test('a session that comes back with another extranonce1 voids its jobs at once and counts the in-flight submit as lost', { timeout: 15_000 }, async () => {
  const server = await pool('public-pool', { startDifficulty: 0.0001 });
  const { set, jobs, log, voids } = poolSet([server.url], { suggest: { mode: 'off' } });
  try {
    await set.start();
    await until(() => jobs.length >= 1, 3000, 'a job', log);
    const share = findShare(jobs[0]!, 0.0001);
    server.crashOnNextSubmit = true;
    assert.deepEqual(await set.submit(share), { status: 'lost' });
    assert.equal(set.status().lost_in_flight, 1);
    assert.equal(voids(), 1);
    await until(() => jobs.length >= 2, 3000, 'the new session\'s job', log);
    assert.equal(jobs[1]!.clean, true);
    assert.notEqual(jobs[1]!.extranonce1, jobs[0]!.extranonce1);
  } finally {
    await set.stop();
    await server.close();
  }
});

test('client.reconnect: same pool after its wait unless following redirects is allowed', { timeout: 20_000 }, async () => {
  const a = await pool('public-pool');
  const b = await pool('public-pool');
  try {
    const stay = poolSet([a.url]);
    await stay.set.start();
    await until(() => stay.jobs.length >= 1, 3000, 'a job');
    const asked = Date.now();
    a.sendReconnect('127.0.0.1', b.port, 1);
    await until(() => a.connections === 2, 5000, 'reconnect to the same pool', stay.log);
    assert.ok(Date.now() - asked >= 950, `waited ${Date.now() - asked} ms`);
    assert.equal(b.connections, 0, 'the named host was not followed');
    assert.ok(stay.log.some((l) => l.includes('staying')), stay.log.join('\n'));
    await stay.set.stop();

    const follow = poolSet([a.url], { followRedirect: true });
    await follow.set.start();
    await until(() => follow.jobs.length >= 1, 3000, 'a job');
    a.sendReconnect('127.0.0.1', b.port, 0);
    await until(() => b.connections === 1 && follow.set.status().state === 'connected', 5000, 'the redirect', follow.log);
    await follow.set.stop();
  } finally {
    await a.close();
    await b.close();
  }
});

test('a reused job id replaces the old job: its shares are stale, never judged against the new header', { timeout: 10_000 }, async () => {
  const server = await new TestStratumServer({ ...publicScript(), configureResult: MASK }).listen();
  const { set, jobs } = poolSet([server.url]);
  try {
    await set.start();
    await until(() => jobs.length === 1, 3000, 'job 1');
    // NiceHash: a new extranonce applies from the next notify, which may reuse a job id.
    server.broadcast(JSON.stringify({ id: null, method: 'mining.set_extranonce', params: ['aabbccdd', 4] }));
    const p = GENESIS_JOB.notifyParams;
    const later = (parseInt(p[7], 16) + 19).toString(16).padStart(8, '0');
    server.notify([p[0], p[1], p[2], p[3], p[4], p[5], p[6], later, false]);
    await until(() => jobs.length === 2, 3000, 'job 1 again');
    assert.equal(jobs[1]!.poolJobId, jobs[0]!.poolJobId);
    assert.notEqual(jobs[1]!.id, jobs[0]!.id, 'a new SourceJob id');
    assert.equal(jobs[1]!.replaces, jobs[0]!.id);
    assert.equal(jobs[1]!.extranonce1, 'aabbccdd');
    assert.deepEqual(await set.submit({ job: jobs[0]!, extranonce2: '00000000', versionBits: 0, nonce: 1, hashValue: 0n }), { status: 'stale' });
    assert.equal(server.submits.length, 0);
  } finally {
    await set.stop();
    await server.close();
  }
});
