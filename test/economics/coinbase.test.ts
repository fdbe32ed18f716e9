import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bip34Height, coinbaseReward, subsidyAt } from '../../economics/coinbase.ts';
import { DemoSource } from '../../coordinator/demoSource.ts';
import { GENESIS_JOB } from '../fixtures/chain.ts';
import { needsShared, readShared } from '../helpers/shared.ts';

const RECORDING = 'vectors/stratum-v1.json';

test('the genesis job\'s coinbase pays the 50 BTC subsidy in one output', () => {
  const [, , coinb1, coinb2] = GENESIS_JOB.notifyParams;
  assert.deepEqual(coinbaseReward(coinb1, coinb2, GENESIS_JOB.extranonce1.length / 2 + GENESIS_JOB.extranonce2Size), { base_units: 5_000_000_000n, coins: 50, outputs: 1 });
  assert.equal(subsidyAt('btc', 0), 5_000_000_000n);
});

test('the recorded public-pool job pays subsidy + fees: three outputs summing to 2,465,717 sat at height 2,442,185', needsShared(RECORDING), () => {
  const job = JSON.parse(readShared(RECORDING))[0];
  const extranonce = job.extranonce1.length / 2 + job.extranonce2_size;
  const r = coinbaseReward(job.coinb1, job.coinb2, extranonce);
  // 0x907a + 0x250f3b + 0 (the witness commitment).
  assert.deepEqual(r, { base_units: 36_986n + 2_428_731n, coins: 0.02465717, outputs: 3 });
  assert.equal(bip34Height(job.coinb1), 2_442_185);
  // 11 halvings: 50 BTC / 2048 = 2,441,406 sat; the rest, 24,311 sat, are the template's fees.
  assert.equal(subsidyAt('btc', 2_442_185), 2_441_406n);
  assert.ok(r.base_units > subsidyAt('btc', 2_442_185)!);
});

test('the demo source\'s jobs carry a well-formed coinbase worth 50 coins', () => {
  const src = new DemoSource({ difficulty: 1, jobIntervalMs: 0 });
  const job = src.newJob();
  const r = coinbaseReward(job.template.coinb1, job.template.coinb2, job.extranonce1.length / 2 + job.extranonce2Size);
  assert.equal(r.coins, 50);
  assert.equal(typeof bip34Height(job.template.coinb1), 'number');
});

test('malformed coinbases are refused, never read as a reward', () => {
  const coinb1 = '01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff0c03010203';
  const coinb2 = 'ffffffff0100f2052a010000001976a914' + '11'.repeat(20) + '88ac00000000';
  assert.equal(coinbaseReward(coinb1, coinb2, 8).coins, 50);
  assert.throws(() => coinbaseReward(coinb1, coinb2, 7), RangeError); // wrong extranonce size shifts every field
  assert.throws(() => coinbaseReward(coinb1, `${coinb2}00`, 8), /1 bytes after the coinbase locktime/);
  assert.throws(() => coinbaseReward(coinb1, coinb2.slice(0, 40), 8), /coinbase ends/);
  assert.throws(() => coinbaseReward('zz', coinb2, 8), /not hex/);
  assert.throws(() => coinbaseReward(coinb1.replace('0100000001', '0100000002'), coinb2, 8), /exactly one input/);
});

test('subsidy schedules halve on the documented heights', () => {
  assert.equal(subsidyAt('btc', 0), 5_000_000_000n);
  assert.equal(subsidyAt('btc', 209_999), 5_000_000_000n);
  assert.equal(subsidyAt('btc', 210_000), 2_500_000_000n);
  assert.equal(subsidyAt('btc', 630_000), 625_000_000n);
  assert.equal(subsidyAt('ltc', 1_680_000), 1_250_000_000n);
  assert.equal(subsidyAt('doge', 1), null);
  assert.equal(subsidyAt('btc', 64 * 210_000), 0n);
});
