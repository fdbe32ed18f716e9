// Reads a slow-changing sensor at most once per interval and repeats the last
// reading in between, so the 1 s control tick costs nothing for it.
import type { Reading, Sensor } from './types.ts';

export class CachedSensor<T> implements Sensor<T> {
  readonly name: string;
  private last: { at: number; reading: Reading<T> } | null = null;

  constructor(private readonly inner: Sensor<T>, private readonly intervalMs: number) {
    this.name = inner.name;
  }

  async read(nowMs: number): Promise<Reading<T>> {
    if (this.last === null || nowMs - this.last.at >= this.intervalMs || nowMs < this.last.at) {
      this.last = { at: nowMs, reading: await this.inner.read(nowMs) };
    }
    return this.last.reading;
  }
}
