// Rate limit as a token bucket (burst, then a steady rate): per device for agent
// commands, per connection for Stratum miners on the coordinator. With
// the time passed in so tests drive it without waiting.
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(private capacity: number, private perMs: number, now: number) {
    this.tokens = capacity;
    this.last = now;
  }

  /** From config: `burst` tokens, refilled at `ratePerMin`. */
  static perMinute(burst: number, ratePerMin: number, now: number): TokenBucket {
    return new TokenBucket(burst, ratePerMin / 60_000, now);
  }

  /** Live change of the limits (config/set of commands.*); keeps the current fill. */
  reconfigure(burst: number, ratePerMin: number, now: number): void {
    this.refill(now);
    this.capacity = burst;
    this.perMs = ratePerMin / 60_000;
    this.tokens = Math.min(this.tokens, burst);
  }

  /** Takes one token if there is one. */
  take(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until the next token (0 when one is available). */
  waitMs(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) / this.perMs);
  }

  private refill(now: number): void {
    const dt = Math.max(0, now - this.last);
    this.last = now;
    this.tokens = Math.min(this.capacity, this.tokens + dt * this.perMs);
  }
}
