// Time-of-use electricity prices (economics.tariff_windows): the window format
// and its validation. Windows follow budget.schedule's convention
// (config/schedule.ts): "HH:MM" local time, `to < from` wraps midnight, optional
// `days` names the day the window starts on, first match wins. Pure.
import { windowListProblems, type Day } from './schedule.ts';

export interface TariffWindow {
  readonly days?: readonly Day[];
  readonly from: string;
  readonly to: string;
  readonly price_per_kwh: number;
}

const WINDOW_KEYS = new Set(['days', 'from', 'to', 'price_per_kwh']);

/** Every problem of a tariff window list, one line each (empty = valid). */
export function tariffWindowProblems(val: unknown): string[] {
  return windowListProblems(val, '{from:"HH:MM", to:"HH:MM", price_per_kwh, days?}', WINDOW_KEYS, (win, at, problems) => {
    const p = win.price_per_kwh;
    if (typeof p !== 'number' || !Number.isFinite(p) || p < 0) problems.push(`${at}: price_per_kwh must be a number ≥ 0`);
  });
}
