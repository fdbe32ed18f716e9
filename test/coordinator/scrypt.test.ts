// scrypt pools (Litecoin, Dogecoin): carving, verification and the share
// difficulty convention, on the real Litecoin genesis block
// (test/fixtures/litecoin-genesis-stratum-job.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { Dispatcher } from '../../coordinator/dispatcher.ts';
import { resolveHashAt } from '../../coordinator/shareHash.ts';
import { unitPayload } from '../../coordinator/coordinator.ts';
import { parseNotify } from '../../coordinator/stratum/messages.ts';
import { DIFF1_TARGET, difficultyToTarget, hashesPerDifficulty, targetToDifficulty } from '../../coordinator/stratum/difficulty.ts';
import { StratumPoolSet } from '../../coordinator/stratum/poolSet.ts';
import type { SourceJob } from '../../coordinator/source.ts';
import { TestStratumServer } from './helpers/stratumServer.ts';

const fix = JSON.parse(readFileSync(new URL('../fixtures/litecoin-genesis-stratum-job.json', import.meta.url), 'utf8'));
/** The extranonce2 counter whose little-endian bytes are the genesis coinbase's. */
const EN2_INDEX = BigInt(`0x${Buffer.from(fix.extranonce2, 'hex').reverse().toString('hex')}`);

function genesisJob(poolDifficulty: number): SourceJob {
  return {
    id: 'ltc-1', algo: 'scrypt', poolJobId: 'ltc0', template: parseNotify(fix.notify_params), extranonce1: fix.extranonce1,
    extranonce2Size: fix.extranonce2_size, versionMask: null, poolTarget: difficultyToTarget(poolDifficulty, 'scrypt'),
    clean: true, replaces: null, receivedAt: 0,
  };
}

test('scrypt share difficulty 1 is 2^16 × the sha256d difficulty-1 target', () => {
  assert.equal(difficultyToTarget(1, 'scrypt'), DIFF1_TARGET << 16n);
  assert.equal(difficultyToTarget(1, 'scrypt').toString(16).padStart(64, '0'), '0000ffff' + '0'.repeat(56));
  assert.equal(difficultyToTarget(65536, 'scrypt'), difficultyToTarget(1, 'sha256d'));
  assert.equal(hashesPerDifficulty('scrypt'), 65536);
  // The genesis PoW hash (0000050c…) is a share of scrypt difficulty 0xffff / 0x050c ≈ 50.7.
  const d = targetToDifficulty(BigInt(`0x${fix.scrypt_pow_hash}`), 'scrypt');
  assert.ok(d > 50.7 && d < 50.8, String(d));
});

test('a unit carved from a Litecoin-style job holding the genesis nonce yields the genesis block, verified by the coordinator', async () => {
  const fleet = new Dispatcher({ unitSeconds: 30, shareIntervalS: 20, initialHashrateHps: 5000, hashAt: await resolveHashAt(), carver: { firstExtranonce2: EN2_INDEX } });
  fleet.onJob(genesisJob(8), 0);
  fleet.onInfo('ltc-pi', { scrypt: 2 ** 33 }, 0); // a unit wide enough to hold the genesis nonce
  const [d] = fleet.onStatus('ltc-pi', 'online', 0);
  const u = d!.units[0]!;
  assert.equal(u.extranonce2, fix.extranonce2);
  assert.ok(u.nonceEnd >= fix.nonce);
  const payload = unitPayload(u);
  assert.equal(payload.algo, 'scrypt');
  const header = Buffer.from(u.header);
  header.writeUInt32LE(fix.nonce, 76);
  assert.equal(header.toString('hex'), fix.header_hex);
  const blockHash = Buffer.from(createHash('sha256').update(createHash('sha256').update(header).digest()).digest()).reverse().toString('hex');
  assert.equal(blockHash, fix.block_hash);
  // The device's claim: the scrypt PoW hash at that nonce. Verified by re-hashing, and a pool share at difficulty 8.
  const r = fleet.onShare('ltc-pi', { unit_id: u.unitId, job_id: u.job.id, nonce: fix.nonce, hash: fix.scrypt_pow_hash }, 1);
  assert.deepEqual(r.verdict, { ok: true, hash: fix.scrypt_pow_hash });
  assert.ok(r.forward, 'meets the scrypt pool target');
  // A forged claim (sha256d hash instead of scrypt) is refused.
  const bad = fleet.onShare('ltc-pi', { unit_id: u.unitId, job_id: u.job.id, nonce: fix.nonce + 1, hash: fix.scrypt_pow_hash }, 2);
  assert.equal(bad.verdict.ok, false);
});

test('a scrypt pool stand-in (node:crypto scrypt) accepts the genesis share submitted by the pool set', { timeout: 15_000 }, async () => {
  const server = await new TestStratumServer({
    subscribeResult: [[['mining.notify', 'ltc']], fix.extranonce1, fix.extranonce2_size],
    greeting: [JSON.stringify({ id: null, method: 'mining.set_difficulty', params: [8] }), JSON.stringify({ id: null, method: 'mining.notify', params: fix.notify_params })],
    algo: 'scrypt',
  }).listen();
  const set = new StratumPoolSet({
    pools: [server.url], user: 'ltc1qexample.pi', password: 'x', algo: 'scrypt', backoff: { minMs: 50, maxMs: 400 }, primaryRetryMs: 300,
    connection: { requestTimeoutMs: 2000 }, suggest: { mode: 'off' },
  });
  const jobs: SourceJob[] = [];
  set.on('job', (j) => jobs.push(j));
  try {
    await set.start();
    const end = Date.now() + 3000;
    while (jobs.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    const job = jobs[0]!;
    assert.equal(job.algo, 'scrypt');
    assert.equal(job.poolTarget, difficultyToTarget(8, 'scrypt'));
    const out = await set.submit({ job, extranonce2: fix.extranonce2, versionBits: 0, nonce: fix.nonce, hashValue: BigInt(`0x${fix.scrypt_pow_hash}`) });
    assert.deepEqual(out, { status: 'accepted' });
    assert.equal(server.submits[0]!.hash, fix.scrypt_pow_hash);
    assert.equal(server.submits[0]!.params[4], (fix.nonce >>> 0).toString(16).padStart(8, '0'));
  } finally {
    await set.stop();
    await server.close();
  }
});
