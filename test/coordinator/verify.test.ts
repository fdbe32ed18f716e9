import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Extranonce2Space, JobCarver } from '../../coordinator/carving.ts';
import { verifyShare, type UnitRecord } from '../../coordinator/verify.ts';
import { parseShareClaim } from '../../protocol/payloads.ts';
import { referenceSha256dAt } from '../../coordinator/shareHash.ts';
import { GENESIS_JOB } from '../fixtures/chain.ts';
import { needsRecording, publicJob, recordedJob, recording, scanUnit, shareClaim } from './helpers/fixtures.ts';

function setup() {
  const job = publicJob();
  const carver = new JobCarver(job, new Extranonce2Space(job.extranonce2Size));
  const mk = (deviceId: string, target = 1n << 246n) => carver.carve({ deviceId, nonceCount: 20_000, target, now: 0, expiresAt: 1, clean: false })!;
  const a = mk('a');
  const b = mk('b');
  const table = new Map<string, UnitRecord>([a, b].map((u) => [u.unitId, { unit: u, accepted: new Set<number>() }]));
  let live = true;
  const ctx = { lookup: (id: string) => table.get(id), isJobLive: () => live, hashAt: referenceSha256dAt };
  return { a, b, ctx, kill: () => { live = false; } };
}

test('a real share of the device\'s own unit verifies', () => {
  const { a, ctx } = setup();
  const [s] = scanUnit(a);
  const v = verifyShare('a', shareClaim(a, s!), ctx);
  assert.equal(v.ok, true);
});

test('forged and misplaced shares are rejected with the matching reason', () => {
  const { a, b, ctx, kill } = setup();
  const shares = scanUnit(a);
  const [s1, s2] = shares;
  const reason = (dev: string, c: ReturnType<typeof shareClaim>) => { const v = verifyShare(dev, c, ctx); return v.ok ? 'ok' : v.reason; };
  assert.equal(reason('a', { ...shareClaim(a, s1!), unit_id: 'nope' }), 'unknown_unit');
  assert.equal(reason('a', { ...shareClaim(a, s1!), job_id: 'other-job' }), 'unknown_unit');
  assert.equal(reason('b', shareClaim(a, s1!)), 'wrong_device', 'a foreign unit');
  assert.equal(reason('a', { ...shareClaim(a, s1!), nonce: a.nonceEnd + 1 }), 'out_of_range');
  assert.equal(reason('a', { ...shareClaim(a, s1!), nonce: s1!.nonce + 1 }), 'bad_hash', 'wrong nonce, copied hash');
  assert.equal(reason('a', { ...shareClaim(a, s1!), hash: s2!.hash }), 'bad_hash');
  // A nonce that is not a share: its true hash is above the unit target.
  let miss = 0;
  while (shares.some((s) => s.nonce === miss)) miss++;
  const trueHash = Buffer.from(referenceSha256dAt({ algo: 'sha256d', header: a.header, target: new Uint8Array(32) }, miss)).toString('hex');
  assert.equal(reason('a', { unit_id: a.unitId, job_id: a.job.id, nonce: miss, hash: trueHash }), 'above_target');
  assert.equal(reason('a', shareClaim(a, s1!)), 'ok');
  assert.equal(reason('a', shareClaim(a, s1!)), 'duplicate', 'a replay');
  kill();
  assert.equal(reason('a', shareClaim(a, s2!)), 'stale');
  void b;
});

test('share payloads that are not claims are recognised', () => {
  const ok = { v: 1, unit_id: 'u', job_id: 'j', nonce: 5, hash: 'AB'.repeat(32), ts: 1 };
  assert.deepEqual(parseShareClaim(ok), { unit_id: 'u', job_id: 'j', nonce: 5, hash: 'ab'.repeat(32), ts: 1 });
  for (const bad of [null, 'x', { ...ok, v: 2 }, { ...ok, nonce: -1 }, { ...ok, nonce: 1.5 }, { ...ok, hash: 'zz' }, { ...ok, unit_id: 3 }]) {
    assert.equal(parseShareClaim(bad), null, JSON.stringify(bad));
  }
});

test('the registry hash the coordinator verifies with equals the node:crypto reference', async () => {
  const { resolveHashAt } = await import('../../coordinator/shareHash.ts');
  const hashAt = await resolveHashAt();
  const { a } = setup();
  const job = { algo: 'sha256d' as const, header: a.header, target: new Uint8Array(32) };
  for (const n of [0, 1, 0xed460d91, 0xffffffff, 123456789]) {
    assert.deepEqual(Buffer.from(hashAt(job, n)), Buffer.from(referenceSha256dAt(job, n)), `nonce ${n}`);
  }
  // The genesis block through the registry: the genesis job's unit at its extranonce2, at the genesis nonce.
  const first = BigInt(Buffer.from(GENESIS_JOB.extranonce2, 'hex').readUInt32LE(0));
  const g = new JobCarver(publicJob({ versionMask: null }), new Extranonce2Space(4, { first })).carve({ deviceId: 'a', nonceCount: 2 ** 32, target: 1n, now: 0, expiresAt: 1, clean: false })!;
  assert.equal(Buffer.from(hashAt({ algo: 'sha256d', header: g.header, target: new Uint8Array(32) }, GENESIS_JOB.nonce)).toString('hex'), GENESIS_JOB.block_hash);
});

test('the registry hash gives the recorded share its recorded hash', needsRecording, async () => {
  const { resolveHashAt } = await import('../../coordinator/shareHash.ts');
  const hashAt = await resolveHashAt();
  const { rec } = recording();
  // The recorded share: header of the recorded job, extranonce2 2247, bits 0x2000.
  const u = new JobCarver(recordedJob(), new Extranonce2Space(4, { first: 2247n }), { versionBits: 0x2000 }).carve({ deviceId: 'a', nonceCount: 2 ** 32, target: 1n, now: 0, expiresAt: 1, clean: false })!;
  assert.equal(Buffer.from(hashAt({ algo: 'sha256d', header: u.header, target: new Uint8Array(32) }, parseInt(rec.submit_nonce, 16))).toString('hex'), rec.expected.hash);
});
