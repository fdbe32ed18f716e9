// Per-key log limiter: a device flooding forged shares must not flood the log.
// At most one line per key per window; the lines held back are counted and the
// count rides on the next line that passes. Pure: the caller passes the time.

export class LogThrottle {
  private readonly windowMs: number;
  private readonly maxKeys: number;
  private readonly seen = new Map<string, { at: number; held: number }>();

  constructor(windowMs: number, maxKeys = 10_000) {
    this.windowMs = windowMs;
    this.maxKeys = maxKeys;
  }

  /** The line to log now (with a held-back count), or null to drop it. */
  pass(key: string, line: string, nowMs: number): string | null {
    const s = this.seen.get(key);
    if (s && nowMs - s.at < this.windowMs) {
      s.held++;
      return null;
    }
    const held = s?.held ?? 0;
    if (!s && this.seen.size >= this.maxKeys) this.seen.delete(this.seen.keys().next().value as string);
    this.seen.set(key, { at: nowMs, held: 0 });
    return held > 0 ? `${line} (+${held} more from it in the last ${Math.round((nowMs - s!.at) / 1000)} s)` : line;
  }
}
