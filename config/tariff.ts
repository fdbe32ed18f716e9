// Time-of-use electricity prices (economics.tariff_windows): the window format
// and its validation. Windows follow budget.schedule's convention
// (config/schedule.ts): "HH:MM" local time, `to < from` wraps midnight, optional
// `days` names the day the window starts on, first match wins. Pure.
import { DAYS, HHMM, type Day } from './schedule.ts';

export interface TariffWindow {
  readonly days?: readonly Day[];
  readonly from: string;
  readonly to: string;
  readonly price_per_kwh: number;
}

const WINDOW_KEYS = new Set(['days', 'from', 'to', 'price_per_kwh']);

/** Every problem of a tariff window list, one line each (empty = valid). */
export function tariffWindowProblems(val: unknown): string[] {
  if (!Array.isArray(val)) return ['must be a JSON array of windows {from:"HH:MM", to:"HH:MM", price_per_kwh, days?}'];
  const problems: string[] = [];
  val.forEach((w: unknown, i) => {
    const at = `window ${i}`;
    if (typeof w !== 'object' || w === null || Array.isArray(w)) {
      problems.push(`${at}: must be an object`);
      return;
    }
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
