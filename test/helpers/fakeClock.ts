// A Clock (lifecycle/clock.ts) whose time moves only when a test says so.
// advance(ms) fires due timers in time order, each at its own instant.
import type { Clock, TimerHandle } from '../../lifecycle/clock.ts';

interface Timer {
  at: number;
  fn: () => void;
  every: number | null;
  seq: number;
}

export class FakeClock implements Clock {
  t: number;
  private timers = new Set<Timer>();
  private seq = 0;

  constructor(start = 1_700_000_000_000) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const h: Timer = { at: this.t + Math.max(0, ms), fn, every: null, seq: this.seq++ };
    this.timers.add(h);
    return h;
  }

  clearTimeout(h: TimerHandle): void {
    this.timers.delete(h as Timer);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    const every = Math.max(1, ms);
    const h: Timer = { at: this.t + every, fn, every, seq: this.seq++ };
    this.timers.add(h);
    return h;
  }

  clearInterval(h: TimerHandle): void {
    this.timers.delete(h as Timer);
  }

  /** Timers armed and not yet fired or cleared. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by ms, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: Timer | null = null;
      for (const h of this.timers) if (h.at <= end && (next === null || h.at < next.at || (h.at === next.at && h.seq < next.seq))) next = h;
      if (next === null) break;
      this.t = next.at;
      if (next.every === null) this.timers.delete(next);
      else next.at += next.every;
      next.fn();
    }
    this.t = end;
  }
}
