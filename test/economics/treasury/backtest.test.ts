import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backtest, reportResult, type CoinDay } from '../../../economics/treasury/backtest.ts';
import { makePolicy } from '../../../economics/treasury/policies.ts';
import { walkForward } from '../../../economics/treasury/walkForward.ts';

const days = (prices: number[], mined = 1): CoinDay[] => prices.map((price_usd, i) => ({ time: `2020-01-${String(i + 1).padStart(2, '0')}`, price_usd, mined_native: mined }));
const free = { fee: 0, slippage: 0 };

test('hold ends with every coin mined, valued at the last price, and never sells', () => {
  const r = backtest(makePolicy('hold'), days([10, 20, 5]), free).result;
  assert.equal(r.holdings_native, 3);
  assert.equal(r.holdings_value, 15);
  assert.equal(r.realised_fiat, 0);
  assert.equal(r.sales, 0);
});

test('sell-on-receipt sells each day\'s coins at that day\'s price less fee and slippage', () => {
  const r = backtest(makePolicy('sell-on-receipt'), days([10, 20, 5], 2), { fee: 0.01, slippage: 0.02 }).result;
  assert.ok(Math.abs(r.realised_fiat - (2 * 10 + 2 * 20 + 2 * 5) * 0.98 * 0.99) < 1e-12);
  assert.equal(r.holdings_native, 0);
  assert.equal(r.sales, 3);
});

test('max drawdown is the worst fall of total value from an earlier peak', () => {
  // hold, 1 coin a day: values 100, 2×40=80, 3×10=30, 4×50=200 → worst fall (100−30)/100.
  const r = backtest(makePolicy('hold'), days([100, 40, 10, 50]), free).result;
  assert.ok(Math.abs(r.max_drawdown - 0.7) < 1e-12);
  assert.equal(backtest(makePolicy('sell-on-receipt'), days([100, 40, 10, 50]), free).result.max_drawdown, 0);
});

test('a decision never depends on a later price', () => {
  const a = backtest(makePolicy('zscore', { window: 3, z: 0.5, fraction: 0.5 }), days([1, 2, 3, 9, 1, 1, 1]), free).days;
  const b = backtest(makePolicy('zscore', { window: 3, z: 0.5, fraction: 0.5 }), days([1, 2, 3, 9, 50, 0.1, 7]), free).days;
  assert.deepEqual(a.slice(0, 4), b.slice(0, 4));
});

test('lookback prices warm the moving averages up before the first day', () => {
  const p = makePolicy('ma', { short: 2, long: 3, fraction: 1 });
  assert.equal(backtest(p, days([1]), free).days[0]!.action, 'hold');
  assert.equal(backtest(p, days([1]), free, [3, 2]).days[0]!.action, 'sell');
});

test('reported money is rounded to the cent, quantities are not', () => {
  const r = reportResult(backtest(makePolicy('dca', { every: 2, fraction: 0.5 }), days([1.005, 3.3333], 0.3), free).result);
  assert.equal(r.realised_fiat, Math.round((0.3 + 0.3) * 0.5 * 3.3333 * 100) / 100);
  assert.equal(r.holdings_native, 0.3);
  assert.throws(() => backtest(makePolicy('hold'), days([1]), { fee: 1, slippage: 0 }), RangeError);
});

test('walk-forward chooses parameters on the training days and judges them on the next, unseen ones', () => {
  // A price that rises for 30 days then falls for 30, repeated: the ma policy can learn the cycle.
  const prices = Array.from({ length: 240 }, (_, i) => 100 + 50 * Math.sin((2 * Math.PI * i) / 60));
  const wf = walkForward('dca', days(prices).map((d, i) => ({ ...d, time: new Date(Date.UTC(2020, 0, 1 + i)).toISOString().slice(0, 10) })), { trainDays: 120, testDays: 40, costs: free });
  assert.equal(wf.folds.length, 3);
  for (const f of wf.folds) {
    assert.ok(f.train_to < f.test_from, 'training ends before testing starts');
    assert.equal(f.policy.from, f.test_from);
    assert.equal(f.hold.mined_native, 40);
    assert.equal(f.sell_on_receipt.mined_native, 40);
  }
  // The chosen set is the best one on its training days.
  const f1 = wf.folds[0]!;
  const train = days(prices.slice(0, 120));
  for (const params of [{ every: 1, fraction: 1 }, { every: 30, fraction: 0.1 }]) {
    assert.ok(backtest(makePolicy('dca', params), train, free).result.total_value <= f1.train_total_value + 1e-9);
  }
  assert.equal(wf.summary.folds, 3);
  assert.ok(Math.abs(wf.summary.hold_total_value - wf.folds.reduce((s, f) => s + f.hold.total_value, 0)) < 1e-9);
  assert.throws(() => walkForward('ma', days(prices.slice(0, 10)), { trainDays: 120, testDays: 40, costs: free }), /needs at least 160 days/);
});
