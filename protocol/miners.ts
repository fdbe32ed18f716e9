// What the fleet sees of a Stratum miner on the coordinator's endpoint
// (docs/protocol.md, "Stratum endpoint"): the coordinator writes retained
// status (protocol/payloads.ts statusPayload) and info, and live telemetry, on
// the miner's behalf under the usual `<base>/<id>/…` topics. Info carries
// "transport": "stratum", which is how a coordinator (this run's or a later
// one's) tells a miner from an agent. Pure builders and one parser.
import { isRecord } from './json.ts';

/** The `transport` of a miner's info. */
export const MINER_TRANSPORT = 'stratum';

export interface MinerInfo {
  /** What the miner sent in mining.subscribe (printable ASCII, ≤ 64), or null. */
  userAgent: string | null;
  /** The worker name it authorized with. */
  worker: string;
  algo: string;
  /** The coordinator's version. */
  coordinatorVersion: string;
  /** Where the miner connects from (address only). */
  remote: string | null;
}

/** The retained `info` of a miner. `version` is the miner's software as far as it tells. */
export function minerInfoPayload(i: MinerInfo, ts: number): string {
  return JSON.stringify({
    v: 1, version: i.userAgent ?? MINER_TRANSPORT, model: minerModel(i.userAgent), transport: MINER_TRANSPORT, worker: i.worker,
    user_agent: i.userAgent, remote: i.remote, algorithms: [i.algo], coordinator_version: i.coordinatorVersion, ts,
  });
}

/** The model string of a miner (its info and its Home Assistant device). */
export function minerModel(userAgent: string | null): string {
  return `Stratum miner${userAgent ? ` (${userAgent})` : ''}`;
}

/** True for an `info` body the coordinator wrote for a Stratum miner. */
export function isStratumMinerInfo(body: unknown): boolean {
  return isRecord(body) && body.transport === MINER_TRANSPORT;
}

export interface MinerTelemetry {
  /** Verified hashrate (work behind the shares the coordinator re-hashed). */
  hashrate_hps: { '10s': number; '60s': number; '15m': number };
  /** Verified shares. */
  shares_found: number;
  shares_rejected: number;
  /** Rejected shares per reason. */
  rejected: Record<string, number>;
  /** The miner's current share difficulty. */
  difficulty: number;
  pool_submitted: number;
  pool_accepted: number;
  uptime_s: number;
}

/** The live `telemetry` of a miner; temp_c is null (a Stratum miner reports none). */
export function minerTelemetryPayload(t: MinerTelemetry, ts: number): string {
  return JSON.stringify({ v: 1, ...t, temp_c: null, ts });
}
