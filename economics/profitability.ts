// Revenue against energy cost for one device or a fleet over a day, and the two
// break-even figures an operator acts on:
// - break-even price: the coin price at which revenue pays the energy
//   (cost per day / coins per day);
// - break-even tariff: the electricity price at which it does
//   (revenue per day / kWh per day).
// A missing price stays missing: revenue, margin and break-even tariff are
// null ("unknown"), never estimated.

export interface DayFigures {
  coins_per_day: number;
  kwh_per_day: number;
  /** Coin price in the tariff's currency, null when unknown. */
  price: number | null;
  /** Mean electricity price over the day (tariff currency per kWh). */
  price_per_kwh: number;
}

export interface Profitability {
  revenue_per_day: number | null;
  cost_per_day: number;
  margin_per_day: number | null;
  break_even_price: number | null;
  break_even_tariff: number | null;
}

export function profitability(f: DayFigures): Profitability {
  const cost = f.kwh_per_day * f.price_per_kwh;
  const revenue = f.price === null ? null : f.coins_per_day * f.price;
  return {
    revenue_per_day: revenue,
    cost_per_day: cost,
    margin_per_day: revenue === null ? null : revenue - cost,
    // With no coins (no hashrate) or no energy the ratio has no meaning.
    break_even_price: f.coins_per_day > 0 ? cost / f.coins_per_day : null,
    break_even_tariff: revenue !== null && f.kwh_per_day > 0 ? revenue / f.kwh_per_day : null,
  };
}
