// The coordinator's own payloads (docs/protocol.md, "Coordinator"):
// retained `<base>/coordinator/status` (also its Last Will) and the periodic
// `<base>/coordinator/stats`.
import type { DeviceStatus } from './payloads.ts';

export function coordinatorStatusPayload(state: DeviceStatus, ts: number, source?: string): string {
  return JSON.stringify(source === undefined ? { v: 1, state, ts } : { v: 1, state, ts, source });
}

export interface StatsPayload {
  ts: number;
  devices_online: number;
  hashrate_hps: number;
  pool: unknown;
  job: unknown;
  shares: Record<string, number>;
  devices: Record<string, unknown>;
  [extra: string]: unknown;
}

export function statsPayload(s: StatsPayload): string {
  return JSON.stringify({ v: 1, ...s });
}
