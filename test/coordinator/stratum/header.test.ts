import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BITCOIN_BLOCKS as headers, GENESIS_JOB } from '../../fixtures/chain.ts';
import { needsRecording, recording } from '../helpers/fixtures.ts';
import { parseNotify, parseStratumLine } from '../../../coordinator/stratum/messages.ts';
import {
  buildCoinbase, merkleRoot, headerForJob, headerHashDisplay, prevhashToWire, rollVersion, submitParams, sha256d, buildHeader,
} from '../../../coordinator/stratum/header.ts';
import {
  DIFF1_TARGET, difficultyToTarget, targetToDifficulty, hexToTarget, targetToHex, targetForRate, hashesPerShare,
} from '../../../coordinator/stratum/difficulty.ts';

test('the genesis job rebuilds to the genesis coinbase, merkle root, header and block hash', () => {
  const g = headers[0]!;
  const job = parseNotify(GENESIS_JOB.notifyParams);
  const coinbase = buildCoinbase(job, GENESIS_JOB.extranonce1, GENESIS_JOB.extranonce2);
  assert.equal(coinbase.toString('hex'), g.coinbase_tx_hex);
  const root = merkleRoot(coinbase, job.merkleBranch);
  assert.equal(Buffer.from(root).reverse().toString('hex'), g.merkle_root);
  const coords = { extranonce1: GENESIS_JOB.extranonce1, extranonce2: GENESIS_JOB.extranonce2, versionBits: 0, versionMask: null };
  const header = headerForJob(job, coords);
  header.writeUInt32LE(GENESIS_JOB.nonce, 76);
  assert.equal(header.toString('hex'), g.header_hex);
  const hash = headerHashDisplay(header);
  assert.equal(hash.toString('hex'), g.block_hash);
  // A block: the hash meets the network target its nbits encode (difficulty 1), so any pool's too.
  assert.ok(BigInt(`0x${hash.toString('hex')}`) <= hexToTarget(g.target));
  assert.ok(BigInt(`0x${hash.toString('hex')}`) <= difficultyToTarget(512));
  // Without rolling the submit has five parameters, the nonce as 8 hex digits.
  assert.deepEqual(submitParams('w', job.jobId, coords, job.ntime, GENESIS_JOB.nonce), ['w', '1', GENESIS_JOB.extranonce2, '495fab29', '7c2bac1d']);
});

test('the recorded accepted share rebuilds to the recorded coinbase, merkle root and header', needsRecording, () => {
  const { rec } = recording();
  const job = parseNotify((parseStratumLine(rec.notify_raw) as { params: unknown[] }).params);
  const coinbase = buildCoinbase(job, rec.extranonce1, rec.submit_extranonce2);
  assert.equal(coinbase.toString('hex'), rec.expected.coinbase_hex);
  assert.equal(Buffer.from(sha256d(coinbase)).reverse().toString('hex'), rec.expected.coinbase_txid);
  const root = merkleRoot(coinbase, job.merkleBranch);
  assert.equal(root.toString('hex'), rec.expected.merkle_root_internal_hex);
  const coords = { extranonce1: rec.extranonce1, extranonce2: rec.submit_extranonce2, versionBits: 0x2000, versionMask: 0x1fffe000 };
  assert.equal(rollVersion(job.version, 0x2000, 0x1fffe000).toString(16), rec.expected.rolled_version);
  const header = headerForJob(job, coords);
  header.writeUInt32LE(parseInt(rec.submit_nonce, 16), 76);
  assert.equal(header.toString('hex'), rec.expected.header_hex);
  const hash = headerHashDisplay(header);
  assert.equal(hash.toString('hex'), rec.expected.hash);
  // The pool accepted it at difficulty 512: the hash meets diff1/512.
  assert.ok(BigInt(`0x${hash.toString('hex')}`) <= difficultyToTarget(rec.pool_difficulty));
  assert.ok(Math.abs(targetToDifficulty(BigInt(`0x${rec.expected.hash}`)) - rec.expected.share_difficulty) < 1e-3);
  // ...but not the network target encoded by nbits.
  assert.ok(BigInt(`0x${hash.toString('hex')}`) > hexToTarget(rec.expected.network_target));
});

test('submit params of the recorded share equal what the pool accepted', needsRecording, () => {
  const { rec } = recording();
  const job = parseNotify((parseStratumLine(rec.notify_raw) as { params: unknown[] }).params);
  const sent = JSON.parse(rec.submit_raw).params as string[];
  const coords = { extranonce1: rec.extranonce1, extranonce2: rec.submit_extranonce2, versionBits: 0x2000, versionMask: 0x1fffe000 };
  assert.deepEqual(submitParams(sent[0]!, job.jobId, coords, job.ntime, parseInt(rec.submit_nonce, 16)), sent);
  // Without rolling the sixth parameter is omitted.
  assert.equal(submitParams('w', '1', { ...coords, versionMask: null }, job.ntime, 1).length, 5);
});

test('the merkle fold matches ESP-Miner\'s 12-branch vector', needsRecording, () => {
  const { merkleOnly } = recording();
  const root = merkleRoot(buildCoinbase(merkleOnly, merkleOnly.extranonce1, merkleOnly.extranonce2), merkleOnly.merkle_branch);
  assert.equal(root.toString('hex'), merkleOnly.expected.merkle_root_internal_hex);
  assert.equal(Buffer.from(root).reverse().toString('hex'), merkleOnly.expected.merkle_root);
});

test('real mainnet headers rebuild from their fields and hash to their block hash', () => {
  for (const h of headers) {
    // Stratum prevhash = the wire bytes word-swapped; converting back must round-trip.
    const wirePrev = Buffer.from(h.prev_block_hash, 'hex').reverse();
    const stratumPrev = Buffer.alloc(32);
    for (let i = 0; i < 32; i += 4) stratumPrev.writeUInt32BE(wirePrev.readUInt32LE(i), i);
    assert.deepEqual(prevhashToWire(stratumPrev.toString('hex')), wirePrev);
    const header = buildHeader({
      version: h.version, prevhash: stratumPrev.toString('hex'), merkleRoot: Buffer.from(h.merkle_root, 'hex').reverse(),
      ntime: h.time, nbits: parseInt(h.bits, 16), nonce: h.nonce,
    });
    assert.equal(header.toString('hex'), h.header_hex, `height ${h.height}`);
    assert.equal(headerHashDisplay(header).toString('hex'), h.block_hash);
    assert.ok(BigInt(`0x${h.block_hash}`) <= hexToTarget(h.target));
  }
});

test('difficulty 1 is the truncated diff-1 target and conversions round-trip', () => {
  assert.equal(targetToHex(difficultyToTarget(1)), '00000000ffff0000000000000000000000000000000000000000000000000000');
  assert.equal(difficultyToTarget(512), DIFF1_TARGET / 512n);
  assert.equal(difficultyToTarget(0.5), DIFF1_TARGET * 2n);
  for (const d of [1e-9, 0.001, 0.75, 1, 3.5, 512, 65536, 1e12]) {
    assert.ok(Math.abs(targetToDifficulty(difficultyToTarget(d)) / d - 1) < 1e-9, String(d));
  }
  assert.equal(difficultyToTarget(1e-80), (1n << 256n) - 1n);
  assert.throws(() => difficultyToTarget(0), RangeError);
  assert.throws(() => difficultyToTarget(Number.NaN), RangeError);
});

test('a rate target gives the expected number of hashes per share', () => {
  const t = targetForRate(1_000_000, 20);
  assert.ok(Math.abs(hashesPerShare(t) / 20_000_000 - 1) < 1e-9);
  assert.equal(targetForRate(0, 1), (1n << 256n) - 1n);
});
