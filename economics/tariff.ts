// Electricity tariffs: one flat price, or time-of-use windows in local time
// with a fallback price, in one currency. Windows use the same convention as
// budget.schedule (config/schedule.ts): "HH:MM" local, `to < from` wraps
// midnight, optional `days` names the day the window starts on, first match wins
// (the window format and its checks: config/tariff.ts).
import { localTimeOf, windowCovers, type LocalTime } from '../config/schedule.ts';
import type { TariffWindow } from '../config/tariff.ts';

export interface Tariff {
  /** ISO 4217 code of every price here (and of the costs computed from them). */
  currency: string;
  /** Price outside every window (the flat price when there are none). */
  price_per_kwh: number;
  windows: readonly TariffWindow[];
}

export function flatTariff(pricePerKwh: number, currency = 'USD'): Tariff {
  if (!(Number.isFinite(pricePerKwh) && pricePerKwh >= 0)) throw new RangeError(`tariff must be a price per kWh ≥ 0, got ${pricePerKwh}`);
  return { currency, price_per_kwh: pricePerKwh, windows: [] };
}

export interface PriceAt {
  price_per_kwh: number;
  /** Index of the window in force, null for the base price. */
  window: number | null;
}

export function priceAt(t: Tariff, local: LocalTime): PriceAt {
  for (let i = 0; i < t.windows.length; i++) {
    if (windowCovers(t.windows[i]!, local)) return { price_per_kwh: t.windows[i]!.price_per_kwh, window: i };
  }
  return { price_per_kwh: t.price_per_kwh, window: null };
}

export type LocalClock = (ms: number) => LocalTime;
const MINUTE = 60_000;

/**
 * Cost of drawing `powerW` from `startMs` to `endMs`. Windows change on whole
 * local minutes, so the span is priced minute by minute (1 440 steps a day):
 * exact for any window layout and across DST changes, where the local clock
 * repeats or skips an hour.
 */
export function energyCost(t: Tariff, powerW: number, startMs: number, endMs: number, local: LocalClock = localTimeOf): number {
  if (t.windows.length === 0) return (powerW * Math.max(0, endMs - startMs)) / 3.6e9 * t.price_per_kwh;
  let cost = 0;
  let at = startMs;
  while (at < endMs) {
    const next = Math.min(endMs, (Math.floor(at / MINUTE) + 1) * MINUTE);
    cost += (powerW * (next - at)) / 3.6e9 * priceAt(t, local(at)).price_per_kwh;
    at = next;
  }
  return cost;
}

/** The kWh-weighted mean price over a span at constant power (the price that makes cost = kWh × price). */
export function meanPrice(t: Tariff, startMs: number, endMs: number, local: LocalClock = localTimeOf): number {
  if (endMs <= startMs) return priceAt(t, local(startMs)).price_per_kwh;
  return energyCost(t, 1000, startMs, endMs, local) / ((endMs - startMs) / 3.6e6);
}
