// Time as a dependency: every component that reads the time or arms a timer takes
// a Clock, so tests drive it with a fake one (test/helpers/fakeClock.ts), the
// way MQTT.js injects its timers. Delays are clamped to what a Node timer can
// hold: a longer one (2^31 ms and up) would fire at once instead of late.
export type TimerHandle = unknown;

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  setInterval(fn: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle): void;
}

/** The longest delay a Node timer holds (2^31 − 1 ms, ~24.8 days). */
export const MAX_DELAY_MS = 2 ** 31 - 1;

/** A delay a timer can hold: NaN and negatives become 0, huge ones MAX_DELAY_MS. */
export function clampDelay(ms: number): number {
  if (!(ms > 0)) return 0;
  return Math.min(ms, MAX_DELAY_MS);
}

/**
 * The real clock. Its timers keep the process alive: a component clears every
 * timer it armed in stop(), so a process whose components all stopped exits on
 * its own, and one that does not exit shows a leak.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, clampDelay(ms)),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  setInterval: (fn, ms) => setInterval(fn, Math.max(1, clampDelay(ms))),
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};

/** Resolves after ms on the given clock. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}
