// Admission and ordering of work units: pure state, no I/O, no timers. The agent
// acts on the decisions (publishes results/events, cancels the pool).
import type { WorkUnit } from '../protocol/workUnit.ts';

export type Admission =
  | { kind: 'duplicate' }
  | { kind: 'expired' }
  | {
    /** queued: appended; full: refused (queue at its limit), clean effects still apply. */
    kind: 'queued' | 'full';
    /** Queued units of other jobs removed by a `clean` unit: report them `cancelled`. */
    cancelled: WorkUnit[];
    /** True when the running unit belongs to another job and must be cancelled. */
    cancelRunning: boolean;
  };

/** How many unit ids are remembered to ignore repeats (QoS 1 redelivery, retained work). */
const SEEN_LIMIT = 10_000;

export class WorkQueue {
  private readonly limit: number;
  private readonly queued: WorkUnit[] = [];
  private readonly seen = new Set<string>();
  running: WorkUnit | null = null;

  constructor(limit: number) {
    this.limit = limit;
  }

  get length(): number {
    return this.queued.length;
  }

  /** Decides what happens to an arriving unit and updates the queue accordingly. */
  admit(unit: WorkUnit, now: number): Admission {
    if (this.seen.has(unit.unit_id)) return { kind: 'duplicate' };
    this.remember(unit.unit_id);
    if (unit.expires_at !== null && unit.expires_at <= now) return { kind: 'expired' };
    let cancelled: WorkUnit[] = [];
    let cancelRunning = false;
    if (unit.clean) {
      cancelled = this.queued.filter((u) => u.job_id !== unit.job_id);
      const kept = this.queued.filter((u) => u.job_id === unit.job_id);
      this.queued.splice(0, this.queued.length, ...kept);
      cancelRunning = this.running !== null && this.running.job_id !== unit.job_id;
    }
    if (this.queued.length >= this.limit) {
      // Newest is refused: earlier units were sent first and may already be counted on.
      return { kind: 'full', cancelled, cancelRunning };
    }
    this.queued.push(unit);
    return { kind: 'queued', cancelled, cancelRunning };
  }

  /** Takes the next unit to run (FIFO), or null. */
  next(): WorkUnit | null {
    return this.queued.shift() ?? null;
  }

  /** Removes and returns every queued unit (on stop). */
  drain(): WorkUnit[] {
    return this.queued.splice(0, this.queued.length);
  }

  /** Removes queued units that expired by `now` and returns them. */
  takeExpired(now: number): WorkUnit[] {
    const out = this.queued.filter((u) => u.expires_at !== null && u.expires_at <= now);
    if (out.length > 0) {
      const kept = this.queued.filter((u) => !out.includes(u));
      this.queued.splice(0, this.queued.length, ...kept);
    }
    return out;
  }

  private remember(id: string): void {
    this.seen.add(id);
    if (this.seen.size > SEEN_LIMIT) {
      const oldest = this.seen.values().next().value as string;
      this.seen.delete(oldest);
    }
  }
}
