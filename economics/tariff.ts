// Electricity tariffs: one flat price, or time-of-use windows in local time
// with a fallback price, in one currency. Windows use the same convention as
// budget.schedule (agent/control/schedule.ts): "HH:MM" local, `to < from` wraps
// midnight, optional `days` names the day the window starts on, first match wins.
import { DAYS, localTimeOf, windowCovers, type Day, type LocalTime } from '../agent/control/schedule.ts';

export interface TariffWindow {
  days?: Day[];
  from: string;
  to: string;
  price_per_kwh: number;
}

export interface Tariff {
  /** ISO 4217 code of every price here (and of the costs computed from them). */
  currency: string;
  /** Price outside every window (the flat price when there are none). */
  price_per_kwh: number;
  windows: readonly TariffWindow[];
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const WINDOW_KEYS = new Set(['days', 'from', 'to', 'price_per_kwh']);

/** Every problem of a tariff window list, one line each (empty = valid). */
export function tariffWindowProblems(val: unknown): string[] {
  if (!Array.isArray(val)) return ['must be a JSON array of windows {from:"HH:MM", to:"HH:MM", price_per_kwh, days?}'];
  const problems: string[] = [];
  val.forEach((w: unknown, i) => {
    const at = `window ${i}`;
    if (typeof w !== 'object' || w === null || Array.isArray(w)) { problems.push(`${at}: must be an object`); return; }
    const win = w as Record<string, unknown>;
    for (const k of Object.keys(win)) if (!WINDOW_KEYS.has(k)) problems.push(`${at}: unknown key "${k}"`);
    for (const k of ['from', 'to']) if (typeof win[k] !== 'string' || !HHMM.test(win[k] as string)) problems.push(`${at}: ${k} must be "HH:MM" (00:00-23:59)`);
    if (win.days !== undefined && (!Array.isArray(win.days) || win.days.length === 0 || !win.days.every((d) => DAYS.includes(d as Day)))) {
      problems.push(`${at}: days must be a non-empty list of ${DAYS.join(', ')}`);
    }
    const p = win.price_per_kwh;
    if (typeof p !== 'number' || !Number.isFinite(p) || p < 0) problems.push(`${at}: price_per_kwh must be a number ≥ 0`);
  });
  return problems;
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
