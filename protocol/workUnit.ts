// Parsing and validation of `<base>/<id>/work` payloads (docs/protocol.md, "work").
// Pure: bytes in, typed units and coded errors out. The agent's single catch
// point turns each error into an `events` payload.
import { HashlingError } from './errors.ts';
import type { Algo } from '../kernels/types.ts';

export const MAX_WORK_PAYLOAD_BYTES = 64 * 1024;
export const MAX_WORK_BATCH = 64;
export const MAX_NONCE = 0xffffffff;
/** duco-s1 nonces are decimal text, not a header field, so they may pass 2^32. */
export const MAX_DUCO_NONCE = Number.MAX_SAFE_INTEGER;

interface UnitCommon {
  v: 1;
  unit_id: string;
  job_id: string;
  nonce_start: number;
  nonce_end: number;
  expires_at: number | null;
  clean: boolean;
  /** Coordinator signature (base64), checked when a public key is configured. */
  sig: string | null;
}
export interface HeaderWorkUnit extends UnitCommon {
  algo: 'sha256d' | 'scrypt';
  /** 160 lowercase hex: the 80-byte header in wire order. */
  header: string;
  /** 64 lowercase hex, big-endian. */
  target: string;
}
export interface DucoWorkUnit extends UnitCommon {
  algo: 'duco-s1';
  last_hash: string;
  expected_hash: string;
  difficulty: number;
}
export type WorkUnit = HeaderWorkUnit | DucoWorkUnit;

const rawObjects = new WeakMap<WorkUnit, Record<string, unknown>>();

/** The JSON object a unit was parsed from (signatures cover it, not the typed view). */
export function rawOf(unit: WorkUnit): Record<string, unknown> | undefined {
  return rawObjects.get(unit);
}

export interface ParsedWork {
  units: WorkUnit[];
  /** One error per rejected element (or one for the whole payload). */
  errors: HashlingError[];
}

const HEX_RE = /^[0-9a-fA-F]*$/;
const ID_RE = /^[\x21-\x7e]{1,128}$/;
const SUPPORTED: readonly Algo[] = ['sha256d', 'scrypt', 'duco-s1'];

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function readId(o: Record<string, unknown>, key: 'unit_id' | 'job_id', unitId?: string): string {
  const val = o[key];
  if (typeof val !== 'string' || !ID_RE.test(val)) {
    throw new HashlingError('E_BAD_WORK_UNIT', `${key} must be 1-128 printable ASCII characters without spaces`, unitId);
  }
  return val;
}

function readHex(o: Record<string, unknown>, key: string, chars: number, unitId: string): string {
  const val = o[key];
  if (typeof val !== 'string') throw new HashlingError('E_BAD_WORK_UNIT', `${key} must be a hex string`, unitId);
  if (val.length % 2 !== 0) throw new HashlingError('E_BAD_WORK_UNIT', `${key} has odd length ${val.length}`, unitId);
  if (!HEX_RE.test(val)) throw new HashlingError('E_BAD_WORK_UNIT', `${key} is not hex`, unitId);
  if (val.length !== chars) {
    throw new HashlingError('E_BAD_WORK_UNIT', `${key} must be ${chars} hex characters (${chars / 2} bytes), got ${val.length}`, unitId);
  }
  return val.toLowerCase();
}

function readNonce(o: Record<string, unknown>, key: string, max: number, unitId: string): number {
  const val = o[key];
  if (typeof val !== 'number' || !Number.isInteger(val)) {
    throw new HashlingError('E_BAD_WORK_UNIT', `${key} must be an integer`, unitId);
  }
  if (val < 0 || val > max) throw new HashlingError('E_BAD_WORK_UNIT', `${key} must be in 0..${max}`, unitId);
  return val;
}

/** Validates one element of a work payload. Throws a coded error naming the field. */
export function parseWorkUnit(raw: unknown): WorkUnit {
  if (!isObject(raw)) throw new HashlingError('E_BAD_WORK_UNIT', 'a work unit must be a JSON object');
  // Read unit_id first so every later error can name the unit.
  const unitId = typeof raw.unit_id === 'string' && ID_RE.test(raw.unit_id) ? raw.unit_id : undefined;
  if (raw.v !== 1) throw new HashlingError('E_BAD_VERSION', `unsupported payload version ${JSON.stringify(raw.v) ?? 'missing'} (expected 1)`, unitId);
  const unit_id = readId(raw, 'unit_id');
  const job_id = readId(raw, 'job_id', unit_id);
  if (typeof raw.algo !== 'string' || !SUPPORTED.includes(raw.algo as Algo)) {
    throw new HashlingError('E_UNKNOWN_ALGO', `unknown algo ${JSON.stringify(raw.algo) ?? 'missing'} (supported: ${SUPPORTED.join(', ')})`, unit_id);
  }
  const algo = raw.algo as Algo;
  const maxNonce = algo === 'duco-s1' ? MAX_DUCO_NONCE : MAX_NONCE;
  const nonce_start = readNonce(raw, 'nonce_start', maxNonce, unit_id);
  const nonce_end = readNonce(raw, 'nonce_end', maxNonce, unit_id);
  if (nonce_start > nonce_end) throw new HashlingError('E_BAD_WORK_UNIT', 'nonce_start must be ≤ nonce_end', unit_id);
  let expires_at: number | null = null;
  if (raw.expires_at !== undefined && raw.expires_at !== null) {
    if (typeof raw.expires_at !== 'number' || !Number.isInteger(raw.expires_at) || raw.expires_at < 0) {
      throw new HashlingError('E_BAD_WORK_UNIT', 'expires_at must be a non-negative integer (ms since epoch)', unit_id);
    }
    expires_at = raw.expires_at;
  }
  if (raw.clean !== undefined && typeof raw.clean !== 'boolean') {
    throw new HashlingError('E_BAD_WORK_UNIT', 'clean must be a boolean', unit_id);
  }
  if (raw.sig !== undefined && typeof raw.sig !== 'string') {
    throw new HashlingError('E_BAD_WORK_UNIT', 'sig must be a base64 string', unit_id);
  }
  const common = { v: 1 as const, unit_id, job_id, nonce_start, nonce_end, expires_at, clean: raw.clean === true, sig: (raw.sig as string | undefined) ?? null };
  if (algo === 'duco-s1') {
    const difficulty = raw.difficulty;
    if (typeof difficulty !== 'number' || !Number.isInteger(difficulty) || difficulty < 1) {
      throw new HashlingError('E_BAD_WORK_UNIT', 'difficulty must be an integer ≥ 1', unit_id);
    }
    const unit: DucoWorkUnit = { ...common, algo, last_hash: readHex(raw, 'last_hash', 40, unit_id), expected_hash: readHex(raw, 'expected_hash', 40, unit_id), difficulty };
    rawObjects.set(unit, raw);
    return unit;
  }
  const unit: HeaderWorkUnit = { ...common, algo, header: readHex(raw, 'header', 160, unit_id), target: readHex(raw, 'target', 64, unit_id) };
  rawObjects.set(unit, raw);
  return unit;
}

/** Parses a whole `work` payload: one unit or an array of 1–64 units. */
export function parseWorkPayload(payload: Uint8Array): ParsedWork {
  if (payload.byteLength > MAX_WORK_PAYLOAD_BYTES) {
    return { units: [], errors: [new HashlingError('E_TOO_LARGE', `work payload of ${payload.byteLength} bytes exceeds ${MAX_WORK_PAYLOAD_BYTES}`)] };
  }
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch (err) {
    return { units: [], errors: [new HashlingError('E_BAD_JSON', `work payload is not UTF-8 JSON: ${(err as Error).message}`)] };
  }
  const items = Array.isArray(data) ? data : [data];
  if (Array.isArray(data) && (data.length === 0 || data.length > MAX_WORK_BATCH)) {
    return { units: [], errors: [new HashlingError('E_BAD_BATCH', `a work array must hold 1-${MAX_WORK_BATCH} units, got ${data.length}`)] };
  }
  const out: ParsedWork = { units: [], errors: [] };
  for (const item of items) {
    try {
      out.units.push(parseWorkUnit(item));
    } catch (err) {
      out.errors.push(err instanceof HashlingError ? err : new HashlingError('E_BAD_WORK_UNIT', String(err)));
    }
  }
  return out;
}

/** What a coordinator sends for one header-based unit (the fields of the `work` contract). */
export interface HeaderUnitFields {
  unit_id: string;
  job_id: string;
  algo: 'sha256d' | 'scrypt';
  /** 160 hex: the 80-byte header in wire order. */
  header: string;
  nonce_start: number;
  nonce_end: number;
  /** 64 hex, big-endian. */
  target: string;
  expires_at: number | null;
  clean: boolean;
}

/** The wire object of a unit (before signing: protocol/signing.ts signs this object). */
export function workUnitObject(u: HeaderUnitFields): Record<string, unknown> {
  return { v: 1, ...u };
}

/**
 * Most shares a unit may be expected to yield. A unit's target and size say how
 * many shares it should produce; one whose target is so easy that every nonce or
 * so is a share (an all-ones target over 2^32 nonces: 4 × 10^9 shares) would
 * flood the agent, the broker and the coordinator, so it is refused. A fair
 * unit yields one share per coordinator.share_interval_s: tens per unit.
 */
export const MAX_EXPECTED_SHARES = 65_536;

const TWO_256 = 2 ** 256;

/** Shares the unit should yield on average: nonces × P(hash ≤ target); exactly 1 for duco-s1. */
export function expectedShares(u: WorkUnit): number {
  if (u.algo === 'duco-s1') return 1;
  const nonces = u.nonce_end - u.nonce_start + 1;
  return nonces * ((Number(BigInt(`0x${u.target}`)) + 1) / TWO_256);
}

/**
 * The halt unit: clean (so the agent cancels every unit of other jobs within one
 * batch), one nonce, target 0 (no hash can meet it), of a job that is never
 * live. It stops dead work with the ordinary `work` contract; its result is
 * ignored like any unknown unit's.
 */
export function haltUnitObject(unitId: string, jobId: string, algo: HeaderUnitFields['algo'], expiresAt: number): Record<string, unknown> {
  return workUnitObject({
    unit_id: unitId, job_id: jobId, algo, header: '00'.repeat(80), nonce_start: 0, nonce_end: 0, target: '0'.repeat(64), expires_at: expiresAt, clean: true,
  });
}
