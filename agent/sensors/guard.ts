// Plausibility screen for the temperature: a reading can be present and still be
// wrong. Faults caught here: a stuck value and an impossible jump.
// Missing files and garbage are caught by the reader itself.
import { fault, type Reading, type Sensor } from './types.ts';

export interface GuardOptions {
  /** Unchanged this long (s) while the level moved by ≥ levelSpan → stuck. */
  stuckS: number;
  /** A change faster than this (°C/s) is not believed. */
  maxJumpCPerS: number;
  /** Level movement that must show up in a healthy sensor (threads). */
  levelSpan: number;
}

export interface GuardState {
  /** Last believed value and when it was read. */
  good: { value: number; at: number } | null;
  /** When the raw value last changed, and the level range seen since. */
  changedAt: number;
  levelMin: number;
  levelMax: number;
  /** A jumped-to value and how many consecutive readings agreed with it. */
  pending: { value: number; count: number } | null;
}

export const initialGuardState = (): GuardState => ({ good: null, changedAt: 0, levelMin: Infinity, levelMax: -Infinity, pending: null });

/** Readings that must agree with a jumped-to value before it is believed. */
const CONFIRM = 3;
/** Agreement band for confirming a jump (°C). */
const CONFIRM_BAND_C = 2;
/** Below this the value counts as unchanged (°C); sysfs resolution is 1 m°C. */
const SAME_C = 0.0005;

/**
 * Screens one reading. Pure: returns the new state and either null (believe it)
 * or the fault message. `level` is the level applied during the last interval.
 */
export function screenTemperature(s: GuardState, value: number, at: number, level: number, o: GuardOptions): { state: GuardState; problem: string | null } {
  const st: GuardState = { ...s, levelMin: Math.min(s.levelMin, level), levelMax: Math.max(s.levelMax, level) };
  if (st.good === null) {
    return { state: { ...st, good: { value, at }, changedAt: at, levelMin: level, levelMax: level }, problem: null };
  }
  const delta = value - st.good.value;
  const dtS = Math.max((at - st.good.at) / 1000, 1);
  // While a jump is unconfirmed, readings near the jumped-to value count towards
  // believing it, however much time has passed since the last good one.
  const agrees = st.pending !== null && Math.abs(st.pending.value - value) <= CONFIRM_BAND_C && Math.abs(delta) > CONFIRM_BAND_C;
  if (agrees || Math.abs(delta) / dtS >= o.maxJumpCPerS) {
    const pending = { value, count: agrees ? st.pending!.count + 1 : 1 };
    if (pending.count < CONFIRM) {
      return { state: { ...st, pending }, problem: `temperature jumped ${delta.toFixed(1)} °C in ${dtS.toFixed(0)} s (${st.good.value.toFixed(1)} → ${value.toFixed(1)})` };
    }
    // Three readings agree: the new level is real (e.g. a sensor that was swapped).
    return { state: { good: { value, at }, changedAt: at, levelMin: level, levelMax: level, pending: null }, problem: null };
  }
  if (Math.abs(delta) > SAME_C) {
    return { state: { good: { value, at }, changedAt: at, levelMin: level, levelMax: level, pending: null }, problem: null };
  }
  const still = (at - st.changedAt) / 1000;
  const next = { ...st, good: { value, at }, pending: null };
  if (still >= o.stuckS && st.levelMax - st.levelMin >= o.levelSpan) {
    return { state: next, problem: `temperature stuck at ${value.toFixed(1)} °C for ${still.toFixed(0)} s while the load changed` };
  }
  return { state: next, problem: null };
}

/** Wraps a temperature reader with screenTemperature. */
export class GuardedTemperature implements Sensor<number> {
  readonly name: string;
  private state = initialGuardState();

  constructor(private readonly inner: Sensor<number>, private readonly opts: GuardOptions, private readonly level: () => number) {
    this.name = inner.name;
  }

  async read(nowMs: number): Promise<Reading<number>> {
    const r = await this.inner.read(nowMs);
    if (!r.ok) return r;
    const { state, problem } = screenTemperature(this.state, r.value, nowMs, this.level(), this.opts);
    this.state = state;
    return problem === null ? r : fault(r.source, problem);
  }
}
