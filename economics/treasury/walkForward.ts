// Walk-forward evaluation: a policy's parameters are chosen on one period and
// judged on the next, never on the days they were tuned on (the guard against
// fitting a strategy to its own history).
//
// The range is cut into consecutive folds: `trainDays` to choose, then
// `testDays` to judge, then the window moves on by `testDays`. In each fold the
// parameter set with the highest total value (realised fiat + holdings at the
// last training day's price) on the training days is run on the test days,
// starting with an empty treasury, beside hold and sell-on-receipt on the
// same days. Ties go to the earlier set in the grid.
import { backtest, type BacktestResult, type CoinDay, type TradeCosts } from './backtest.ts';
import { makePolicy, parameterGrid, type PolicyName, type PolicyParams } from './policies.ts';

export interface Fold {
  fold: number;
  train_from: string;
  train_to: string;
  test_from: string;
  test_to: string;
  params: PolicyParams;
  train_total_value: number;
  policy: BacktestResult;
  hold: BacktestResult;
  sell_on_receipt: BacktestResult;
}

export interface WalkForwardSummary {
  walk_forward: true;
  policy: PolicyName;
  folds: number;
  train_days: number;
  test_days: number;
  /** Σ over folds of each strategy's total value on its test days (full precision). */
  total_value: number;
  hold_total_value: number;
  sell_on_receipt_total_value: number;
  /** Folds where the policy ended above hold / above sell-on-receipt. */
  beat_hold: number;
  beat_sell_on_receipt: number;
  /** The worst test-period drawdown of the policy. */
  max_drawdown: number;
}

export interface WalkForwardOptions {
  trainDays: number;
  testDays: number;
  costs: TradeCosts;
}

/** `days` is the whole history; the policy's moving averages may look back into the training days. */
export function walkForward(name: PolicyName, days: readonly CoinDay[], o: WalkForwardOptions): { folds: Fold[]; summary: WalkForwardSummary } {
  if (!(Number.isInteger(o.trainDays) && o.trainDays >= 2)) throw new RangeError(`train days must be an integer ≥ 2, got ${o.trainDays}`);
  if (!(Number.isInteger(o.testDays) && o.testDays >= 1)) throw new RangeError(`test days must be an integer ≥ 1, got ${o.testDays}`);
  if (days.length < o.trainDays + o.testDays) {
    throw new RangeError(`walk-forward needs at least ${o.trainDays + o.testDays} days (train ${o.trainDays} + test ${o.testDays}), the range has ${days.length}`);
  }
  const grid = parameterGrid(name);
  const hold = makePolicy('hold');
  const sor = makePolicy('sell-on-receipt');
  const folds: Fold[] = [];
  const prices = days.map((d) => d.price_usd);
  for (let start = 0; start + o.trainDays + o.testDays <= days.length; start += o.testDays) {
    const train = days.slice(start, start + o.trainDays);
    const testStart = start + o.trainDays;
    const test = days.slice(testStart, testStart + o.testDays);
    const trainLookback = prices.slice(0, start);
    let best: { params: PolicyParams; value: number } | null = null;
    for (const params of grid) {
      const r = backtest(makePolicy(name, params), train, o.costs, trainLookback).result;
      if (best === null || r.total_value > best.value) best = { params, value: r.total_value };
    }
    const lookback = prices.slice(0, testStart);
    folds.push({
      fold: folds.length + 1,
      train_from: train[0]!.time, train_to: train[train.length - 1]!.time,
      test_from: test[0]!.time, test_to: test[test.length - 1]!.time,
      params: best!.params, train_total_value: best!.value,
      policy: backtest(makePolicy(name, best!.params), test, o.costs, lookback).result,
      hold: backtest(hold, test, o.costs, lookback).result,
      sell_on_receipt: backtest(sor, test, o.costs, lookback).result,
    });
  }
  const sum = (f: (x: Fold) => number) => folds.reduce((s, x) => s + f(x), 0);
  return {
    folds,
    summary: {
      walk_forward: true, policy: name, folds: folds.length, train_days: o.trainDays, test_days: o.testDays,
      total_value: sum((f) => f.policy.total_value),
      hold_total_value: sum((f) => f.hold.total_value),
      sell_on_receipt_total_value: sum((f) => f.sell_on_receipt.total_value),
      beat_hold: folds.filter((f) => f.policy.total_value > f.hold.total_value).length,
      beat_sell_on_receipt: folds.filter((f) => f.policy.total_value > f.sell_on_receipt.total_value).length,
      max_drawdown: Math.max(0, ...folds.map((f) => f.policy.max_drawdown)),
    },
  };
}
