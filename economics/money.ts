// Money arithmetic. Sums of many small proceeds are accumulated without
// intermediate rounding (Neumaier's compensated sum keeps the float error far
// below a cent over any realistic history), and rounded to the cent only when
// reported: an exchange's per-trade rounding would erase a small miner's daily
// sale (0.004 USD → 0.00) and make the result depend on the trade cadence.

/** Neumaier (improved Kahan–Babuška) summation. */
export class ExactSum {
  private sum = 0;
  private c = 0;

  add(x: number): void {
    const t = this.sum + x;
    this.c += Math.abs(this.sum) >= Math.abs(x) ? (this.sum - t) + x : (x - t) + this.sum;
    this.sum = t;
  }

  get value(): number {
    return this.sum + this.c;
  }
}

/** Rounds to the cent, halves away from zero (decided on the decimal text, so 1.005 → 1.01). */
export function toCents(x: number): number {
  if (!Number.isFinite(x)) return x;
  const sign = x < 0 ? -1 : 1;
  // toPrecision(15) removes binary noise below 15 significant digits before deciding the half.
  const a = Number(Math.abs(x).toPrecision(15));
  return (sign * Math.round(a * 100 + 1e-9)) / 100;
}
