// N virtual agents in one process (`hashling simulate`, `npm run bench:fleet`).
// Devices connect at a bounded rate: 2,000 CONNECTs at once would measure the
// broker's accept queue, not the steady fleet the coordinator serves.
import { VirtualDevice, type DeviceCounters } from './virtualDevice.ts';
import type { BrokerSettings } from '../transport/mqttLink.ts';

/**
 * Fleet hashrate the simulator hashes for real (exact mode): 2 M H/s is ~40 % of
 * one x86 core with the wasm kernel (5.6 M/s per CPU-second, docs/performance.md).
 * Above it, shares are sampled (VirtualDevice).
 */
export const EXACT_BUDGET_HPS = 2_000_000;

export interface FleetSimulatorOptions {
  devices: number;
  /** Device ids are `<prefix>-<n>` (n from 0, zero-padded). */
  prefix: string;
  base: string;
  broker: BrokerSettings;
  hashrateHps: number;
  /** Default: exact when devices × hashrate ≤ EXACT_BUDGET_HPS. */
  exact?: boolean;
  rampPerS: number;
  queueSize: number;
  telemetryS: number;
  version: string;
}

export class FleetSimulator {
  private readonly o: FleetSimulatorOptions;
  readonly devices: VirtualDevice[] = [];
  private rampTimer: NodeJS.Timeout | null = null;

  constructor(opts: FleetSimulatorOptions) {
    this.o = opts;
  }

  /** Resolves when every device has been started (not necessarily connected). */
  async start(): Promise<void> {
    const exact = this.o.exact ?? this.o.devices * this.o.hashrateHps <= EXACT_BUDGET_HPS;
    const width = String(Math.max(0, this.o.devices - 1)).length;
    for (let i = 0; i < this.o.devices; i++) {
      this.devices.push(new VirtualDevice({
        id: `${this.o.prefix}-${String(i).padStart(width, '0')}`, base: this.o.base, broker: this.o.broker,
        hashrateHps: this.o.hashrateHps, exact, queueSize: this.o.queueSize, telemetryS: this.o.telemetryS, version: this.o.version,
      }));
    }
    // Started in slices every 50 ms: rampPerS devices per second.
    const perTick = Math.max(1, Math.round(this.o.rampPerS / 20));
    let next = 0;
    await new Promise<void>((resolve) => {
      const step = () => {
        for (let k = 0; k < perTick && next < this.devices.length; k++) this.devices[next++]!.start();
        if (next >= this.devices.length) { this.rampTimer = null; resolve(); return; }
        this.rampTimer = setTimeout(step, 50);
      };
      step();
    });
  }

  get connectedCount(): number {
    let n = 0;
    for (const d of this.devices) if (d.connected) n++;
    return n;
  }

  /** Waits until every device is connected, or the timeout; resolves with the count. */
  async waitConnected(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.connectedCount < this.devices.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    return this.connectedCount;
  }

  /** Stops new shares and waits until every outbox is empty (all shares and results acknowledged). */
  async drain(timeoutMs: number): Promise<boolean> {
    for (const d of this.devices) d.freeze();
    const deadline = Date.now() + timeoutMs;
    const pending = () => this.devices.reduce((n, d) => n + d.outboxLength, 0);
    while (pending() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    return pending() === 0;
  }

  totals(): DeviceCounters {
    const t: DeviceCounters = { units_received: 0, units_done: 0, units_cancelled: 0, units_expired: 0, shares_published: 0, shares_not_found: 0, bad_work: 0 };
    for (const d of this.devices) for (const k of Object.keys(t) as (keyof DeviceCounters)[]) t[k] += d.counters[k];
    return t;
  }

  async stop(): Promise<void> {
    if (this.rampTimer) clearTimeout(this.rampTimer);
    this.rampTimer = null;
    await Promise.all(this.devices.map((d) => d.stop()));
  }
}
