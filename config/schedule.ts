// Time windows in local time (budget.schedule: tariff hours, quiet hours): the
// format, its validation and what it means (which window covers an instant) in
// one place. Pure: the caller supplies local time.
//
// Format (JSON array; in env HASHLING_BUDGET_SCHEDULE as a JSON string):
//   [{"days":["mon","tue"], "from":"23:00", "to":"07:00", "max_cpu_percent":100, "power_w":0, "paused":false}]
// - from/to are local "HH:MM"; to < from wraps past midnight (the part after
//   midnight belongs to the day the window started); from == to is the whole day.
// - days (optional, default every day) names the day the window starts on.
// - A window's max_cpu_percent / power_w replace the global ones while it is
//   active (power_w 0 = no cap); paused: true stops hashing. The first window
//   that matches wins, so list exceptions before general windows.
// Temperature limits are never relaxed by a window: they protect the hardware.

export const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Day = (typeof DAYS)[number];

export interface ScheduleWindow {
  readonly days?: readonly Day[];
  readonly from: string;
  readonly to: string;
  readonly max_cpu_percent?: number;
  readonly power_w?: number;
  readonly paused?: boolean;
}

/** Local wall-clock time: day of week (0 = Sunday, as Date.getDay) and minute of the day. */
export interface LocalTime {
  day: number;
  minute: number;
}

export const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const KEYS = new Set(['days', 'from', 'to', 'max_cpu_percent', 'power_w', 'paused']);

function minuteOf(hhmm: string): number {
  const m = HHMM.exec(hhmm)!;
  return Number(m[1]) * 60 + Number(m[2]);
}

/**
 * Every problem of a list of "HH:MM" windows, one line each (empty = valid): the
 * part budget.schedule and economics.tariff_windows share (an array of objects,
 * no unknown keys, from/to, days). `rest` checks each window's own fields.
 */
export function windowListProblems(
  val: unknown, shape: string, keys: ReadonlySet<string>, rest: (win: Record<string, unknown>, at: string, problems: string[]) => void,
): string[] {
  if (!Array.isArray(val)) return [`must be a JSON array of windows ${shape}`];
  const problems: string[] = [];
  val.forEach((w: unknown, i) => {
    const at = `window ${i}`;
    if (typeof w !== 'object' || w === null || Array.isArray(w)) {
      problems.push(`${at}: must be an object`);
      return;
    }
    const win = w as Record<string, unknown>;
    for (const k of Object.keys(win)) if (!keys.has(k)) problems.push(`${at}: unknown key "${k}"`);
    for (const k of ['from', 'to']) {
      if (typeof win[k] !== 'string' || !HHMM.test(win[k] as string)) problems.push(`${at}: ${k} must be "HH:MM" (00:00-23:59)`);
    }
    if (win.days !== undefined && (!Array.isArray(win.days) || win.days.length === 0 || !win.days.every((d) => DAYS.includes(d as Day)))) {
      problems.push(`${at}: days must be a non-empty list of ${DAYS.join(', ')}`);
    }
    rest(win, at, problems);
  });
  return problems;
}

/** Every problem of a schedule value, one line each (empty = valid). */
export function scheduleProblems(val: unknown): string[] {
  return windowListProblems(val, '{from:"HH:MM", to:"HH:MM", ...}', KEYS, (win, at, problems) => {
    const pct = win.max_cpu_percent;
    if (pct !== undefined && (typeof pct !== 'number' || !(pct >= 0 && pct <= 100))) problems.push(`${at}: max_cpu_percent must be a number in [0, 100]`);
    const pw = win.power_w;
    if (pw !== undefined && (typeof pw !== 'number' || !Number.isFinite(pw) || pw < 0)) problems.push(`${at}: power_w must be a number ≥ 0 (0 = no cap)`);
    if (win.paused !== undefined && typeof win.paused !== 'boolean') problems.push(`${at}: paused must be true or false`);
  });
}

function dayAllowed(w: ScheduleWindow, day: number): boolean {
  return w.days === undefined || w.days.includes(DAYS[((day % 7) + 7) % 7]);
}

/** True when `w` covers the local time `t`. */
export function windowCovers(w: ScheduleWindow, t: LocalTime): boolean {
  const from = minuteOf(w.from);
  const to = minuteOf(w.to);
  if (from === to) return dayAllowed(w, t.day);
  if (from < to) return t.minute >= from && t.minute < to && dayAllowed(w, t.day);
  // Wraps midnight: evening part on the start day, morning part on the next day.
  if (t.minute >= from) return dayAllowed(w, t.day);
  if (t.minute < to) return dayAllowed(w, t.day - 1);
  return false;
}

/** The first window covering `t`, or null. */
export function activeWindow(schedule: readonly ScheduleWindow[], t: LocalTime): ScheduleWindow | null {
  for (const w of schedule) if (windowCovers(w, t)) return w;
  return null;
}

/** Local time of an epoch-ms instant in the process time zone (the device's wall clock). */
export function localTimeOf(ms: number): LocalTime {
  const d = new Date(ms);
  return { day: d.getDay(), minute: d.getHours() * 60 + d.getMinutes() };
}
