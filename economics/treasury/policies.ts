// Sell policies for mined coins. Each is a pure function of what was known that
// day (prices up to and including today, holdings after today's coins arrived,
// days since the start), returning hold or sell with the fraction of holdings
// to sell and why. No policy sees a later price.
//
// - hold: never sells.
// - sell-on-receipt: sells everything held each day, i.e. each day's coins the
//   day they arrive (the treasury starts empty).
// - dca: sells `fraction` of holdings every `every` days, whatever the price
//   (dollar-cost averaging out of the position).
// - ma: trend following with two simple moving averages of the daily price:
//   while the short one is below the long one (a downtrend) sells `fraction`
//   of holdings each day; in an uptrend holds.
// - zscore: mean reversion: z = (price − mean) / standard deviation over the
//   last `window` days; sells `fraction` of holdings on days with z ≥ `z`
//   (price unusually high against its recent mean), holds otherwise.
import {
  TREASURY_PARAM_NAMES, TREASURY_POLICIES, treasuryParamProblems, withDefaults,
  type TreasuryParams, type TreasuryPolicy,
} from '../../config/treasury.ts';

export type PolicyName = TreasuryPolicy;
export const POLICY_NAMES: readonly PolicyName[] = TREASURY_POLICIES;
export type PolicyParams = TreasuryParams;

export interface PolicySpec {
  name: PolicyName;
  params: PolicyParams;
}

export interface PolicyContext {
  /** Prices up to and including today; today is the last element. */
  prices: readonly number[];
  /** Days since the evaluation started (0 on the first day). */
  day: number;
  /** Coins held after today's mined coins arrived. */
  holdings: number;
}

export interface Decision {
  action: 'hold' | 'sell';
  /** Fraction of holdings to sell today, in [0, 1]. */
  fraction: number;
  reason: string;
}

export function paramNames(name: PolicyName): readonly (keyof PolicyParams)[] {
  return TREASURY_PARAM_NAMES[name];
}

/** Defaults filled in and every parameter checked (config/treasury.ts); throws RangeError naming the bad one. */
export function makePolicy(name: PolicyName, given: PolicyParams = {}): PolicySpec {
  if (!POLICY_NAMES.includes(name)) throw new RangeError(`unknown policy "${name}" (one of ${POLICY_NAMES.join(', ')})`);
  const params = withDefaults(name, given);
  const problems = treasuryParamProblems(name, params);
  if (problems.length > 0) throw new RangeError(problems.join('; '));
  return { name, params };
}

function mean(xs: readonly number[], from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += xs[i]!;
  return s / (to - from);
}

const HOLD = (reason: string): Decision => ({ action: 'hold', fraction: 0, reason });
const SELL = (fraction: number, reason: string): Decision => ({ action: 'sell', fraction, reason });

export function decide(p: PolicySpec, ctx: PolicyContext): Decision {
  const { prices } = ctx;
  const n = prices.length;
  const fmt = (x: number) => Number(x.toPrecision(6));
  switch (p.name) {
    case 'hold':
      return HOLD('hold: never sells');
    case 'sell-on-receipt':
      return ctx.holdings > 0 ? SELL(1, 'sell-on-receipt: sell the coins received') : HOLD('sell-on-receipt: nothing received');
    case 'dca': {
      const every = p.params.every!;
      return ctx.day % every === every - 1
        ? SELL(p.params.fraction!, `dca: day ${ctx.day + 1} is a sale day (every ${every} days)`)
        : HOLD(`dca: next sale in ${every - 1 - (ctx.day % every)} days`);
    }
    case 'ma': {
      const { short, long } = p.params as Required<PolicyParams>;
      if (n < long) return HOLD(`ma: ${n} of ${long} days of prices known`);
      const s = mean(prices, n - short, n);
      const l = mean(prices, n - long, n);
      return s < l
        ? SELL(p.params.fraction!, `ma: downtrend, ${short}-day mean ${fmt(s)} < ${long}-day mean ${fmt(l)}`)
        : HOLD(`ma: uptrend, ${short}-day mean ${fmt(s)} ≥ ${long}-day mean ${fmt(l)}`);
    }
    case 'zscore': {
      const { window, z } = p.params as Required<PolicyParams>;
      if (n < window) return HOLD(`zscore: ${n} of ${window} days of prices known`);
      const m = mean(prices, n - window, n);
      let v = 0;
      for (let i = n - window; i < n; i++) v += (prices[i]! - m) ** 2;
      const sd = Math.sqrt(v / (window - 1));
      const score = sd > 0 ? (prices[n - 1]! - m) / sd : 0;
      return score >= z
        ? SELL(p.params.fraction!, `zscore: z ${fmt(score)} ≥ ${z} over ${window} days`)
        : HOLD(`zscore: z ${fmt(score)} < ${z} over ${window} days`);
    }
  }
}

/** The parameter sets walk-forward evaluation chooses from. */
export function parameterGrid(name: PolicyName): PolicyParams[] {
  switch (name) {
    case 'hold':
    case 'sell-on-receipt':
      return [{}];
    case 'dca':
      return [1, 7, 30].flatMap((every) => [0.1, 0.25, 0.5, 1].map((fraction) => ({ every, fraction })));
    case 'ma':
      return [[5, 20], [10, 50], [20, 100], [50, 200]].flatMap(([short, long]) => [0.1, 0.25, 1].map((fraction) => ({ short, long, fraction })));
    case 'zscore':
      return [20, 60, 120].flatMap((window) => [1, 1.5, 2].flatMap((z) => [0.25, 0.5, 1].map((fraction) => ({ window, z, fraction }))));
  }
}
