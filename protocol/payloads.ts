// Builders and parsers of the device payloads (docs/protocol.md). Every payload
// carries "v": 1 and snake_case keys with units. The agent and the simulator
// build with these; the coordinator and the fleet CLI parse with these.
import type { HashlingError } from './errors.ts';
import { isRecord } from './json.ts';

export type AgentMode = 'idle' | 'hashing' | 'paused' | 'throttled';
export type ResultStatus = 'done' | 'expired' | 'cancelled';
export type DeviceStatus = 'online' | 'offline' | 'lost';

// --- status (retained, Last Will) ---

export interface StatusPayload {
  state: DeviceStatus;
  ts: number;
  /**
   * Random per agent process. An agent that sees its id online under another
   * session knows another agent holds the id (E_DUPLICATE_ID).
   */
  session?: string;
  /** When that process started (ms); the later of two agents with one id yields. */
  started_at?: number;
}

export function statusPayload(state: DeviceStatus, ts: number, who?: { session: string; started_at: number }): string {
  return JSON.stringify(who ? { v: 1, state, ts, session: who.session, started_at: who.started_at } : { v: 1, state, ts });
}

/** A status message, or null when it is not one (an empty retained payload clears the topic). */
export function parseStatus(body: unknown): StatusPayload | null {
  if (!isRecord(body) || typeof body.state !== 'string' || !['online', 'offline', 'lost'].includes(body.state)) return null;
  const out: StatusPayload = { state: body.state as DeviceStatus, ts: typeof body.ts === 'number' ? body.ts : 0 };
  if (typeof body.session === 'string') out.session = body.session;
  if (typeof body.started_at === 'number') out.started_at = body.started_at;
  return out;
}

// --- info (retained) ---

export interface InfoPayload {
  version: string;
  platform: string;
  arch: string;
  model: string;
  cores: number;
  mem_mb: number;
  groups: readonly string[];
  algorithms: string[];
  kernels: Record<string, string>;
  threads: number;
  /** Start-up estimate per algorithm (whole device), so a coordinator sizes first units. */
  benchmark_hps: Record<string, number>;
  /** Why each kernel was chosen: timed at this start, cached from an earlier one, or the only candidate; rates per core. */
  kernel_plan?: Record<string, { kernel: string; reason: 'timed' | 'cached' | 'only candidate'; rates_hps: Record<string, number> }>;
  config_digest: string;
  [extra: string]: unknown;
}

export function infoPayload(info: InfoPayload, ts: number): string {
  return JSON.stringify({ v: 1, ...info, ts });
}

/**
 * Benchmark hashrate of one algorithm an agent advertises in `info`; null when
 * absent or not a sane number. A bare number (the oldest shape) is the sha256d
 * figure: it must not size scrypt units, which run ~1000x slower.
 */
export function benchmarkFromInfo(body: unknown, algo = 'sha256d'): number | null {
  if (!isRecord(body)) return null;
  const sane = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : null);
  const pick = (x: unknown): number | null => {
    if (typeof x === 'number') return algo === 'sha256d' ? sane(x) : null;
    if (isRecord(x) && Object.hasOwn(x, algo)) return sane(x[algo]);
    return null;
  };
  return pick(body.benchmark_hps) ?? pick(body.hashrate_hps);
}

// --- state (retained, on change) ---

export interface StatePayload {
  mode: AgentMode;
  unit_id: string | null;
  job_id: string | null;
  queue_length: number;
  threads: number;
  [budget: string]: unknown;
}

export function statePayload(state: StatePayload, ts: number): string {
  return JSON.stringify({ v: 1, ...state, ts });
}

// --- telemetry ---

export interface TelemetryPayload {
  hashrate_hps: { '10s': number; '60s': number; '15m': number };
  hashes_total: number;
  shares_found: number;
  units_done: number;
  temp_c: number | null;
  load: number;
  rss_mb: number;
  uptime_s: number;
  outbox: number;
  [budget: string]: unknown;
}

export function telemetryPayload(t: TelemetryPayload, ts: number): string {
  return JSON.stringify({ v: 1, ...t, ts });
}

// --- shares, results, events ---

export interface SharePayload {
  unit_id: string;
  job_id: string;
  nonce: number;
  hash: string;
  ts: number;
}

export function sharePayload(s: SharePayload): string {
  return JSON.stringify({ v: 1, ...s });
}

/** The key a share is acknowledged by (`acks`) and deduplicated with. */
export function shareKey(unitId: string, nonce: number): string {
  return `${unitId}/${nonce}`;
}

export interface ShareClaim {
  unit_id: string;
  job_id: string;
  nonce: number;
  /** 64 lowercase hex, display order. */
  hash: string;
  /** The device's clock when it found the share, if given. */
  ts?: number | null;
}

const HASH_RE = /^[0-9a-fA-F]{64}$/;
const ID_RE = /^[\x21-\x7e]{1,128}$/;

/** Reads a `shares` payload; null when it is not a share claim at all. */
export function parseShareClaim(body: unknown): ShareClaim | null {
  if (!isRecord(body)) return null;
  if (body.v !== 1 || typeof body.unit_id !== 'string' || !ID_RE.test(body.unit_id) || typeof body.job_id !== 'string' || !ID_RE.test(body.job_id)) return null;
  if (typeof body.nonce !== 'number' || !Number.isInteger(body.nonce) || body.nonce < 0 || body.nonce > Number.MAX_SAFE_INTEGER) return null;
  if (typeof body.hash !== 'string' || !HASH_RE.test(body.hash)) return null;
  return { unit_id: body.unit_id, job_id: body.job_id, nonce: body.nonce, hash: body.hash.toLowerCase(), ts: typeof body.ts === 'number' ? body.ts : null };
}

export interface ResultPayload {
  unit_id: string;
  job_id: string;
  status: ResultStatus;
  hashes: number;
  elapsed_ms: number;
  shares: number;
}

export function resultPayload(r: ResultPayload): string {
  return JSON.stringify({ v: 1, ...r });
}

/** Reads a `results` payload; null when it is not one. */
export function parseResult(body: unknown): ResultPayload | null {
  if (!isRecord(body) || body.v !== 1 || typeof body.unit_id !== 'string' || !ID_RE.test(body.unit_id)) return null;
  if (typeof body.status !== 'string' || !['done', 'expired', 'cancelled'].includes(body.status)) return null;
  const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) && x >= 0 ? x : 0);
  return {
    unit_id: body.unit_id, job_id: typeof body.job_id === 'string' ? body.job_id : '', status: body.status as ResultStatus,
    hashes: num(body.hashes), elapsed_ms: num(body.elapsed_ms), shares: num(body.shares),
  };
}

export type EventType = 'error' | 'warning' | 'info';

export function eventPayload(type: EventType, err: Pick<HashlingError, 'code' | 'message' | 'unitId'> | { code: string; message: string; unitId?: string }, ts: number): string {
  const body: Record<string, unknown> = { v: 1, type, code: err.code, message: err.message };
  if (err.unitId !== undefined) body.unit_id = err.unitId;
  body.ts = ts;
  return JSON.stringify(body);
}

// --- acks (coordinator → agent): the verdict of each share the coordinator judged ---

export interface ShareAck {
  unit_id: string;
  nonce: number;
  ok: boolean;
  /** The reject reason when not ok (bad_hash, stale, …). */
  reason?: string;
}

/** Most acknowledgements in one `acks` message. */
export const MAX_ACKS = 256;

export function acksPayload(shares: ShareAck[], ts: number): string {
  return JSON.stringify({ v: 1, shares, ts });
}

/** Reads an `acks` payload; the well-formed entries, or null when it is not one. */
export function parseAcks(body: unknown): ShareAck[] | null {
  if (!isRecord(body) || body.v !== 1 || !Array.isArray(body.shares) || body.shares.length > MAX_ACKS) return null;
  const out: ShareAck[] = [];
  for (const a of body.shares) {
    if (!isRecord(a) || typeof a.unit_id !== 'string' || !ID_RE.test(a.unit_id) || typeof a.ok !== 'boolean') continue;
    if (typeof a.nonce !== 'number' || !Number.isInteger(a.nonce) || a.nonce < 0) continue;
    out.push({ unit_id: a.unit_id, nonce: a.nonce, ok: a.ok, ...(typeof a.reason === 'string' ? { reason: a.reason.slice(0, 64) } : {}) });
  }
  return out;
}
