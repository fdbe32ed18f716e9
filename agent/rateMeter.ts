// Hashrate over sliding windows (10 s, 60 s, 15 min) from per-second buckets.
// Pure: the caller passes the time, so tests drive it with a fake clock.

const WINDOWS_S = { '10s': 10, '60s': 60, '15m': 900 } as const;
export type RateWindow = keyof typeof WINDOWS_S;
const SPAN_S = 900;

export class RateMeter {
  private readonly buckets = new Float64Array(SPAN_S);
  private lastSecond: number | null = null;
  private readonly startedMs: number;
  total = 0;

  constructor(nowMs: number) {
    this.startedMs = nowMs;
  }

  add(count: number, nowMs: number): void {
    this.advance(nowMs);
    this.buckets[Math.floor(nowMs / 1000) % SPAN_S] += count;
    this.total += count;
  }

  /** Rate per second over the window, or over the time since start when shorter. */
  rate(window: RateWindow, nowMs: number): number {
    this.advance(nowMs);
    const span = WINDOWS_S[window];
    const sec = Math.floor(nowMs / 1000);
    let sum = 0;
    for (let i = 0; i < span; i++) sum += this.buckets[(((sec - i) % SPAN_S) + SPAN_S) % SPAN_S];
    // The current second is partial: divide by the time really covered.
    const covered = Math.min(span - 1 + (nowMs % 1000) / 1000, (nowMs - this.startedMs) / 1000);
    return covered > 0 ? sum / covered : 0;
  }

  rates(nowMs: number): Record<RateWindow, number> {
    return { '10s': this.rate('10s', nowMs), '60s': this.rate('60s', nowMs), '15m': this.rate('15m', nowMs) };
  }

  private advance(nowMs: number): void {
    const sec = Math.floor(nowMs / 1000);
    if (this.lastSecond === null) {
      this.lastSecond = sec;
      return;
    }
    // Zero the buckets of the seconds that passed without an add.
    for (let s = this.lastSecond + 1; s <= sec && s <= this.lastSecond + SPAN_S; s++) this.buckets[s % SPAN_S] = 0;
    if (sec > this.lastSecond) this.lastSecond = sec;
  }
}
