// The treasury backtester: feeds a sell policy the coins a fleet would have
// mined each day and keeps the books.
//
// Each day, in order: the day's mined coins arrive; the policy decides on the
// prices known so far; a sale of q coins at price p yields
//   q × p × (1 − slippage) × (1 − fee)
// in fiat (slippage: how far below the day's price the order fills; fee: the
// exchange's cut of the proceeds). Proceeds accumulate exactly (money.ts);
// results keep full precision (a policy is chosen on exact values) and
// reportResult() rounds money to the cent for output. The treasury starts empty.
import { ExactSum, toCents } from '../money.ts';
import { decide, type Decision, type PolicySpec } from './policies.ts';

export interface CoinDay {
  time: string;
  price_usd: number;
  /** Coins mined that day (after the pool fee). */
  mined_native: number;
}

export interface TradeCosts {
  /** Exchange fee, fraction of proceeds in [0, 1). */
  fee: number;
  /** Fill below the day's price, fraction in [0, 1). */
  slippage: number;
}

/** One day of a backtest (the `--json` daily line of `hashling treasury backtest`). */
export interface BacktestDay {
  time: string;
  price_usd: number;
  mined_native: number;
  action: Decision['action'];
  sold_native: number;
  proceeds: number;
  holdings_native: number;
  holdings_value: number;
  realised_fiat: number;
  /** realised_fiat + holdings_value. */
  total_value: number;
  reason: string;
}

/** The final line of a backtest. */
export interface BacktestResult {
  policy: string;
  params: Record<string, number>;
  from: string;
  to: string;
  /** Σ proceeds. */
  realised_fiat: number;
  holdings_native: number;
  /** Holdings at the last day's price. */
  holdings_value: number;
  /** realised_fiat + holdings_value. */
  total_value: number;
  /** Worst fall of total_value from an earlier peak, as a fraction of that peak. */
  max_drawdown: number;
  mined_native: number;
  sold_native: number;
  sales: number;
}

export interface Backtest {
  days: BacktestDay[];
  result: BacktestResult;
}

function assertCosts(c: TradeCosts): void {
  if (!(c.fee >= 0 && c.fee < 1)) throw new RangeError(`fee must be a fraction in [0, 1), got ${c.fee}`);
  if (!(c.slippage >= 0 && c.slippage < 1)) throw new RangeError(`slippage must be a fraction in [0, 1), got ${c.slippage}`);
}

/**
 * Runs `policy` over `days`. `lookback` are the prices of the days before the
 * first one (the moving averages' warm-up), oldest first.
 */
export function backtest(policy: PolicySpec, days: readonly CoinDay[], costs: TradeCosts, lookback: readonly number[] = []): Backtest {
  assertCosts(costs);
  const prices = [...lookback];
  const realised = new ExactSum();
  const mined = new ExactSum();
  const soldTotal = new ExactSum();
  let holdings = 0;
  let peak = 0;
  let maxDrawdown = 0;
  let sales = 0;
  const out: BacktestDay[] = [];
  days.forEach((d, i) => {
    prices.push(d.price_usd);
    holdings += d.mined_native;
    mined.add(d.mined_native);
    const decision = decide(policy, { prices, day: i, holdings });
    let sold = 0;
    let proceeds = 0;
    if (decision.action === 'sell' && holdings > 0) {
      // Selling everything sells exactly what is held (no float residue left behind).
      sold = decision.fraction >= 1 ? holdings : holdings * decision.fraction;
      proceeds = sold * d.price_usd * (1 - costs.slippage) * (1 - costs.fee);
      holdings = decision.fraction >= 1 ? 0 : holdings - sold;
      realised.add(proceeds);
      soldTotal.add(sold);
      sales++;
    }
    const value = holdings * d.price_usd;
    const total = realised.value + value;
    peak = Math.max(peak, total);
    if (peak > 0) maxDrawdown = Math.max(maxDrawdown, (peak - total) / peak);
    out.push({
      time: d.time, price_usd: d.price_usd, mined_native: d.mined_native, action: decision.action, sold_native: sold, proceeds,
      holdings_native: holdings, holdings_value: value, realised_fiat: realised.value, total_value: total, reason: decision.reason,
    });
  });
  const last = days[days.length - 1];
  const holdingsValue = last ? holdings * last.price_usd : 0;
  return {
    days: out,
    result: {
      policy: policy.name, params: { ...policy.params } as Record<string, number>,
      from: days[0]?.time ?? '', to: last?.time ?? '',
      realised_fiat: realised.value, holdings_native: holdings, holdings_value: holdingsValue,
      total_value: realised.value + holdingsValue, max_drawdown: maxDrawdown,
      mined_native: mined.value, sold_native: soldTotal.value, sales,
    },
  };
}

/** The result as reported: fiat amounts rounded to the cent (half away from zero). */
export function reportResult(r: BacktestResult): BacktestResult {
  return { ...r, realised_fiat: toCents(r.realised_fiat), holdings_value: toCents(r.holdings_value), total_value: toCents(r.total_value) };
}
