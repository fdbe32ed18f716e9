import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coinsPerHash, earnedFromPoolShares, earnedFromVerifiedShares, expectedCoins, expectedCoinsPerDay, paidPerBlock } from '../../economics/earnings.ts';

const reward = { subsidy: 12.5, fees: 0.5 };
const close = (a: number, b: number, rel = 1e-12) => assert.ok(Math.abs(a - b) <= rel * Math.abs(b), `${a} vs ${b}`);

test('PPS pays the subsidy only; FPPS and PPLNS (long-run mean) add the fees', () => {
  assert.equal(paidPerBlock(reward, 'pps'), 12.5);
  assert.equal(paidPerBlock(reward, 'fpps'), 13);
  assert.equal(paidPerBlock(reward, 'pplns'), 13);
});

test('one block worth of hashes earns one block reward before the pool fee', () => {
  const d = 1e12;
  close(expectedCoins(d * 2 ** 32, d, reward, { scheme: 'fpps', poolFee: 0 }), 13);
  close(expectedCoins(d * 2 ** 32, d, reward, { scheme: 'pps', poolFee: 0 }), 12.5);
  close(coinsPerHash(d, reward, 'fpps'), 13 / (d * 2 ** 32));
});

test('the pool fee f keeps the fraction f', () => {
  const gross = expectedCoinsPerDay(1e12, 1e13, reward, { scheme: 'fpps', poolFee: 0 });
  close(expectedCoinsPerDay(1e12, 1e13, reward, { scheme: 'fpps', poolFee: 0.02 }), gross * 0.98);
  assert.throws(() => expectedCoins(1, 1, reward, { scheme: 'fpps', poolFee: 1 }), RangeError);
  assert.throws(() => expectedCoins(1, 1, reward, { scheme: 'fpps', poolFee: -0.1 }), RangeError);
});

test('verified work counts Σ share difficulty × 2^32 (sha256d) or × 2^16 (scrypt) hashes', () => {
  const terms = { scheme: 'fpps' as const, poolFee: 0 };
  const sha = earnedFromVerifiedShares('sha256d', [0.001, 0.001, 0.002], 1e6, reward, terms);
  close(sha.hashes, 0.004 * 2 ** 32);
  close(sha.coins, (0.004 / 1e6) * 13);
  const scrypt = earnedFromVerifiedShares('scrypt', [16, 16], 1e6, reward, terms);
  close(scrypt.hashes, 32 * 65536);
  close(scrypt.coins, (32 * 65536) / (1e6 * 2 ** 32) * 13);
});

test('pool-accepted shares at the pool difficulty give the pool\'s view of the same work', () => {
  const r = earnedFromPoolShares('sha256d', 10, 512, 1e12, reward, { scheme: 'pps', poolFee: 0.01 });
  close(r.hashes, 10 * 512 * 2 ** 32);
  close(r.coins, ((10 * 512) / 1e12) * 12.5 * 0.99);
  assert.deepEqual(earnedFromPoolShares('scrypt', 0, 1, 1, reward, { scheme: 'pps', poolFee: 0 }), { hashes: 0, coins: 0 });
});

test('negative or non-finite inputs are refused with a RangeError', () => {
  assert.throws(() => expectedCoins(-1, 1, reward, { scheme: 'fpps', poolFee: 0 }), RangeError);
  assert.throws(() => coinsPerHash(1, { subsidy: -1, fees: 0 }, 'pps'), RangeError);
  assert.throws(() => coinsPerHash(0, reward, 'pps'), RangeError);
});
