// The live treasury signal: the configured sell policy applied to the daily
// closing prices the coordinator has seen (the last valid price of each UTC
// day). It advises only: hashling holds no exchange keys and places no orders.
import { decide, type Decision, type PolicySpec } from './policies.ts';

const DAY_MS = 86_400_000;
/** Longest look-back any policy parameter can ask for, plus margin. */
export const MAX_DAYS = 400;

export class DailyCloses {
  private readonly days: { day: number; price: number }[] = [];

  /** Records a price seen at `ms`; the last one of a UTC day is its close. */
  add(ms: number, price: number): void {
    const day = Math.floor(ms / DAY_MS);
    const last = this.days[this.days.length - 1];
    if (last && last.day === day) last.price = price;
    else if (!last || day > last.day) this.days.push({ day, price });
    else return; // an older price than the newest day: ignored, history only moves forward
    if (this.days.length > MAX_DAYS) this.days.splice(0, this.days.length - MAX_DAYS);
  }

  prices(): number[] {
    return this.days.map((d) => d.price);
  }
}

/**
 * The signal now. `day` for DCA is the day number since the epoch, so its sale
 * days do not move when the coordinator restarts. Holdings are unknown to
 * hashling, so the fraction applies to whatever the operator holds.
 */
export function liveSignal(p: PolicySpec, closes: DailyCloses, nowMs: number): Decision | null {
  const prices = closes.prices();
  if (prices.length === 0) return null;
  return decide(p, { prices, day: Math.floor(nowMs / DAY_MS), holdings: 1 });
}
