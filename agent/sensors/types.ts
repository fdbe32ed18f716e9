// One interface for every sensor. Contract (test/agent/sensors/contract.ts runs
// it against every implementation, real and fake): read() never throws and never
// rejects; it resolves to a value or to a fault that says why, and a reader
// whose source comes back recovers on a later read.

/** A sample: a value and the source it came from, or a fault. */
export type Reading<T> =
  | { ok: true; value: T; source: string }
  | {
    ok: false;
    source: string;
    /** One line for the operator (it becomes an E_SENSOR warning event). */
    fault: string;
    /** Expected and short-lived (e.g. a delta sensor's first sample): no warning. */
    transient?: boolean;
  };

export interface Sensor<T> {
  /** Stable name used in warnings and telemetry, e.g. "temp", "power". */
  readonly name: string;
  /** One sample at `nowMs` (the injected clock; delta sensors divide by it). */
  read(nowMs: number): Promise<Reading<T>>;
}

/** Battery / mains state from power_supply/*. */
export interface SupplyState {
  /** True when a battery is discharging and no mains supply is online. */
  on_battery: boolean;
  /** null when the device has no AC/USB supply node. */
  ac_online: boolean | null;
  /** null when there is no battery. */
  battery_percent: number | null;
}

/** Decoded `vcgencmd get_throttled` (Raspberry Pi firmware). */
export interface ThrottledFlags {
  raw: string;
  /** Conditions active now, e.g. ["under_voltage", "throttled"]. */
  now: string[];
  /** Conditions that have occurred since boot. */
  since_boot: string[];
}

export const ok = <T>(value: T, source: string): Reading<T> => ({ ok: true, value, source });
export const fault = <T>(source: string, message: string, transient = false): Reading<T> =>
  transient ? { ok: false, source, fault: message, transient } : { ok: false, source, fault: message };

/** Error text for a failed read: the errno code is what operators search for. */
export function describeError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e?.code ?? (e instanceof Error ? e.message : String(err));
}
