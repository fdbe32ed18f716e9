import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, makePolicy, parameterGrid, POLICY_NAMES } from '../../../economics/treasury/policies.ts';

const ctx = (prices: number[], day = prices.length - 1, holdings = 1) => ({ prices, day, holdings });

test('hold never sells; sell-on-receipt sells everything it holds', () => {
  assert.equal(decide(makePolicy('hold'), ctx([1, 2, 3])).action, 'hold');
  assert.deepEqual(decide(makePolicy('sell-on-receipt'), ctx([5])), { action: 'sell', fraction: 1, reason: 'sell-on-receipt: sell the coins received' });
  assert.equal(decide(makePolicy('sell-on-receipt'), ctx([5], 0, 0)).action, 'hold');
});

test('dca sells its fraction on every `every`-th day only', () => {
  const p = makePolicy('dca', { every: 3, fraction: 0.5 });
  const sales = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((day) => decide(p, { prices: [1], day, holdings: 1 }));
  assert.deepEqual(sales.map((d) => d.action), ['hold', 'hold', 'sell', 'hold', 'hold', 'sell', 'hold', 'hold', 'sell']);
  assert.equal(sales[2]!.fraction, 0.5);
});

test('ma holds in an uptrend and while warming up, sells in a downtrend', () => {
  const p = makePolicy('ma', { short: 2, long: 4, fraction: 0.25 });
  assert.match(decide(p, ctx([1, 2, 3])).reason, /3 of 4 days/);
  assert.equal(decide(p, ctx([1, 2, 3, 4])).action, 'hold');
  const down = decide(p, ctx([4, 3, 2, 1]));
  assert.equal(down.action, 'sell');
  assert.equal(down.fraction, 0.25);
  assert.match(down.reason, /2-day mean 1\.5 < 4-day mean 2\.5/);
});

test('zscore sells when the price stands z deviations above its recent mean', () => {
  const p = makePolicy('zscore', { window: 5, z: 1.5, fraction: 0.5 });
  assert.equal(decide(p, ctx([10, 10, 10, 10, 10])).action, 'hold'); // no spread: z = 0
  assert.equal(decide(p, ctx([10, 11, 10, 11, 10])).action, 'hold');
  const spike = decide(p, ctx([10, 10, 10, 10, 20])); // mean 12, sd √20 ≈ 4.47, z ≈ 1.79
  assert.equal(spike.action, 'sell');
  assert.match(spike.reason, /z 1\.78885 ≥ 1\.5/);
});

test('parameters are checked and unknown policies refused', () => {
  assert.throws(() => makePolicy('ma', { short: 50, long: 20 }), /short \(50\) must be below long \(20\)/);
  assert.throws(() => makePolicy('dca', { every: 0 }), /every must be an integer ≥ 1/);
  assert.throws(() => makePolicy('zscore', { fraction: 1.5 }), /fraction must be in \(0, 1\]/);
  assert.throws(() => makePolicy('zscore', { z: -1 }), /z must be a number > 0/);
  assert.throws(() => makePolicy('moon' as never), /unknown policy/);
  assert.deepEqual(makePolicy('dca').params, { every: 7, fraction: 0.25 });
});

test('every grid entry is a valid parameter set', () => {
  for (const name of POLICY_NAMES) for (const params of parameterGrid(name)) makePolicy(name, params);
  assert.equal(parameterGrid('zscore').length, 27);
});
