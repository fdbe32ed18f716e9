import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashesFromShares, hashesPerBlock, hashesPerShare, nbitsToDifficulty, nbitsToTarget, NETWORK_DIFF1_TARGET } from '../../economics/hashUnits.ts';
import { DIFF1_TARGET } from '../../coordinator/stratum/difficulty.ts';

test('nBits 0x1d00ffff (the genesis block) is difficulty 1 and the difficulty-1 target', () => {
  assert.equal(nbitsToTarget(0x1d00ffff), NETWORK_DIFF1_TARGET);
  assert.equal(NETWORK_DIFF1_TARGET, DIFF1_TARGET);
  assert.equal(nbitsToDifficulty(0x1d00ffff), 1);
});

test('nBits 0x1b0404cb decodes to the Bitcoin wiki example target and difficulty 16307.42', () => {
  assert.equal(nbitsToTarget(0x1b0404cb), 0x0404cbn << (8n * 24n));
  assert.ok(Math.abs(nbitsToDifficulty(0x1b0404cb) - 16307.420938523983) < 1e-9);
});

test('difficulty from nBits equals diff1 / target for real header bits', () => {
  for (const bits of [0x17053894, 0x1a05db8b, 0x1c2a1115, 0x1e0fffff]) {
    const exact = Number(NETWORK_DIFF1_TARGET) / Number(nbitsToTarget(bits));
    assert.ok(Math.abs(nbitsToDifficulty(bits) / exact - 1) < 1e-12, bits.toString(16));
  }
});

test('negative, zero and out-of-range nBits are refused', () => {
  for (const bad of [0x1d80ffff, 0x1d000000, 0x22010000, -1, 1.5, 2 ** 32]) assert.throws(() => nbitsToTarget(bad), RangeError, String(bad));
});

test('a block costs D × 2^32 hashes; a share 2^32 per difficulty for sha256d and 2^16 for scrypt', () => {
  assert.equal(hashesPerBlock(2), 2 ** 33);
  assert.equal(hashesPerShare('sha256d', 1), 2 ** 32);
  assert.equal(hashesPerShare('scrypt', 1), 65536);
  assert.equal(hashesPerShare('scrypt', 65536), hashesPerShare('sha256d', 1));
  assert.equal(hashesFromShares('sha256d', [1, 2, 0.5]), 3.5 * 2 ** 32);
  assert.equal(hashesFromShares('scrypt', [1024, 1024]), 2048 * 65536);
  assert.throws(() => hashesPerShare('sha256d', 0), RangeError);
  assert.throws(() => hashesPerBlock(Number.NaN), RangeError);
});
