// What a device or fleet would have earned and spent, day by day, over a
// history file: the model of earnings.ts applied to each day's network figures.
// One day's block reward is that day's average: (issuance + fees) / blocks, of
// which issuance / blocks is the subsidy, at the day's mean difficulty. For
// 1 TH/s this is exactly (issuance + fees) / network TH/s, the figure a
// reader can check against the file's hashrate column.
import type { PayoutScheme } from '../config/economics.ts';
import { expectedCoinsPerDay, type BlockReward } from './earnings.ts';
import { kwhPerDay } from './energy.ts';
import type { MiningAlgo } from './hashUnits.ts';
import type { HistoryDay } from './history.ts';
import { ExactSum } from './money.ts';

export interface WhatIfInput {
  algo: MiningAlgo;
  hashrate_hps: number;
  power_w: number;
  /** USD per kWh (the history's prices are USD). */
  tariff: number;
  pool_fee: number;
  payout: PayoutScheme;
}

/** One day (the `--json` line shape of `hashling economics`). */
export interface WhatIfDay {
  time: string;
  /** Coins earned, after the pool fee. */
  revenue_native: number;
  /** revenue_native × that day's price. */
  revenue_usd: number;
  energy_kwh: number;
  /** energy_kwh × tariff. */
  cost: number;
  /** revenue_usd − cost. */
  margin: number;
}

export function blockRewardOf(day: HistoryDay): BlockReward {
  return { subsidy: day.issuance_native / day.block_count, fees: day.fees_native / day.block_count };
}

export function simulateDay(day: HistoryDay, input: WhatIfInput): WhatIfDay {
  const coins = expectedCoinsPerDay(input.hashrate_hps, day.difficulty_mean, blockRewardOf(day), { scheme: input.payout, poolFee: input.pool_fee });
  const energy = kwhPerDay(input.power_w);
  const revenueUsd = coins * day.price_usd;
  const cost = energy * input.tariff;
  return { time: day.time, revenue_native: coins, revenue_usd: revenueUsd, energy_kwh: energy, cost, margin: revenueUsd - cost };
}

export function simulateDays(days: readonly HistoryDay[], input: WhatIfInput): WhatIfDay[] {
  return days.map((d) => simulateDay(d, input));
}

export interface WhatIfSummary {
  summary: true;
  algo: MiningAlgo;
  hashrate_hps: number;
  power_w: number;
  tariff: number;
  pool_fee: number;
  payout: PayoutScheme;
  from: string;
  to: string;
  days: number;
  revenue_native: number;
  revenue_usd: number;
  energy_kwh: number;
  cost: number;
  margin: number;
  revenue_usd_per_day: number;
  cost_per_day: number;
  margin_per_day: number;
  profitable_days: number;
  /** Constant coin price at which the range's revenue would have paid its energy: Σ cost / Σ coins. */
  break_even_price_usd: number | null;
  /** Constant tariff at which it would have: Σ revenue_usd / Σ kWh. */
  break_even_tariff: number | null;
}

export function summarize(rows: readonly WhatIfDay[], input: WhatIfInput): WhatIfSummary {
  const s = { native: new ExactSum(), usd: new ExactSum(), kwh: new ExactSum(), cost: new ExactSum() };
  let profitable = 0;
  for (const r of rows) {
    s.native.add(r.revenue_native); s.usd.add(r.revenue_usd); s.kwh.add(r.energy_kwh); s.cost.add(r.cost);
    if (r.margin > 0) profitable++;
  }
  const n = Math.max(1, rows.length);
  const [native, usd, kwh, cost] = [s.native.value, s.usd.value, s.kwh.value, s.cost.value];
  return {
    summary: true, algo: input.algo, hashrate_hps: input.hashrate_hps, power_w: input.power_w, tariff: input.tariff,
    pool_fee: input.pool_fee, payout: input.payout,
    from: rows[0]?.time ?? '', to: rows[rows.length - 1]?.time ?? '', days: rows.length,
    revenue_native: native, revenue_usd: usd, energy_kwh: kwh, cost, margin: usd - cost,
    revenue_usd_per_day: usd / n, cost_per_day: cost / n, margin_per_day: (usd - cost) / n,
    profitable_days: profitable,
    break_even_price_usd: native > 0 ? cost / native : null,
    break_even_tariff: kwh > 0 ? usd / kwh : null,
  };
}
