// Parsing and validation of Stratum V1 messages (JSON-RPC 1.0 over lines).
// References: slushpool "Stratum mining protocol" (mining.subscribe, authorize,
// set_difficulty, notify, submit), NiceHash "Stratum protocol" (set_extranonce,
// extranonce.subscribe) and BIP310 (mining.configure, version rolling).
// Pure: a line in, a typed message or a coded E_STRATUM error out.
import { HashlingError } from '../../protocol/errors.ts';

export interface StratumResponse {
  kind: 'response';
  id: number | string | null;
  result: unknown;
  /** Normalised error text, or null when the call succeeded. */
  error: string | null;
}
export interface StratumRequest {
  kind: 'request';
  /** null for notifications; pool→client calls such as client.get_version carry an id. */
  id: number | string | null;
  method: string;
  params: unknown[];
}
export type StratumMessage = StratumResponse | StratumRequest;

/** A mining.notify job as the pool sent it (hex fields lowercased). */
export interface StratumJobTemplate {
  jobId: string;
  /** 64 hex, as sent: the header's prev-block hash with bytes swapped inside each 4-byte word. */
  prevhash: string;
  coinb1: string;
  coinb2: string;
  merkleBranch: string[];
  /** Big-endian u32 values (header stores them little-endian). */
  version: number;
  nbits: number;
  ntime: number;
  cleanJobs: boolean;
}

export interface SubscribeResult {
  extranonce1: string;
  extranonce2Size: number;
}

export interface ConfigureResult {
  versionRolling: boolean;
  /** The mask the pool allows (BIP310 "version-rolling.mask"), null when rolling is off. */
  mask: number | null;
}

const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;

function fail(message: string): never {
  throw new HashlingError('E_STRATUM', message);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function hexField(val: unknown, what: string, bytes?: number): string {
  if (typeof val !== 'string' || !HEX_RE.test(val)) fail(`${what} must be an even-length hex string`);
  if (bytes !== undefined && val.length !== bytes * 2) fail(`${what} must be ${bytes} bytes, got ${val.length / 2}`);
  return val.toLowerCase();
}

function u32Field(val: unknown, what: string): number {
  return parseInt(hexField(val, what, 4), 16) >>> 0;
}

/**
 * Pools send errors as [code, "message", traceback] (the original Stratum docs),
 * as {code, message} objects, or as plain strings; all become "code: message".
 */
export function describeStratumError(err: unknown): string | null {
  if (err === null || err === undefined || err === false) return null;
  if (Array.isArray(err)) return `${err[0] ?? '?'}: ${String(err[1] ?? 'error')}`;
  if (isObject(err)) return `${String(err.code ?? '?')}: ${String(err.message ?? 'error')}`;
  return String(err);
}

/** Classifies one line. Throws E_STRATUM for anything that is not a JSON-RPC message. */
export function parseStratumLine(line: string): StratumMessage {
  let data: unknown;
  try {
    data = JSON.parse(line);
  } catch {
    fail(`not JSON: ${line.slice(0, 80)}`);
  }
  if (!isObject(data)) fail('a stratum message must be a JSON object');
  const id = data.id;
  if (id !== undefined && id !== null && typeof id !== 'number' && typeof id !== 'string') fail('id must be a number, string or null');
  if (typeof data.method === 'string') {
    const params = data.params ?? [];
    if (!Array.isArray(params)) fail(`${data.method}: params must be an array`);
    return { kind: 'request', id: id ?? null, method: data.method, params };
  }
  if ('result' in data || 'error' in data) {
    return { kind: 'response', id: id ?? null, result: data.result ?? null, error: describeStratumError(data.error) };
  }
  fail('neither a call (method) nor a response (result/error)');
}

/**
 * mining.subscribe result: [subscriptions, extranonce1, extranonce2_size].
 * The subscription details are ignored (no pool we know resumes sessions by them).
 */
export function parseSubscribeResult(result: unknown): SubscribeResult {
  if (!Array.isArray(result) || result.length < 3) fail('mining.subscribe result must be [subscriptions, extranonce1, extranonce2_size]');
  const extranonce1 = hexField(result[1], 'extranonce1');
  const size = result[2];
  // At least 1 byte so units can be told apart; 16 bytes is far beyond any pool.
  if (!Number.isInteger(size) || (size as number) < 1 || (size as number) > 16) fail('extranonce2_size must be an integer in 1..16');
  return { extranonce1, extranonce2Size: size as number };
}

/** BIP310 mining.configure result; a pool that rejects or ignores the extension means "no rolling". */
export function parseConfigureResult(result: unknown): ConfigureResult {
  if (!isObject(result) || result['version-rolling'] !== true) return { versionRolling: false, mask: null };
  const mask = u32Field(result['version-rolling.mask'], 'version-rolling.mask');
  return { versionRolling: mask !== 0, mask: mask === 0 ? null : mask };
}

/** mining.set_difficulty params: [difficulty], a positive number (fractions allowed). */
export function parseSetDifficulty(params: unknown[]): number {
  const d = params[0];
  if (typeof d !== 'number' || !Number.isFinite(d) || d <= 0) fail('mining.set_difficulty needs a number > 0');
  return d;
}

/**
 * mining.notify params: [job_id, prevhash, coinb1, coinb2, merkle_branch[],
 * version, nbits, ntime, clean_jobs].
 */
export function parseNotify(params: unknown[]): StratumJobTemplate {
  if (params.length < 9) fail(`mining.notify needs 9 params, got ${params.length}`);
  const [jobId, prevhash, coinb1, coinb2, branch, version, nbits, ntime, clean] = params;
  if (typeof jobId !== 'string' || !/^[\x21-\x7e]{1,64}$/.test(jobId)) fail('mining.notify job_id must be 1-64 printable characters');
  if (!Array.isArray(branch)) fail('mining.notify merkle_branch must be an array');
  if (typeof clean !== 'boolean') fail('mining.notify clean_jobs must be a boolean');
  return {
    jobId,
    prevhash: hexField(prevhash, 'prevhash', 32),
    coinb1: hexField(coinb1, 'coinb1'),
    coinb2: hexField(coinb2, 'coinb2'),
    merkleBranch: branch.map((b, i) => hexField(b, `merkle_branch[${i}]`, 32)),
    version: u32Field(version, 'version'),
    nbits: u32Field(nbits, 'nbits'),
    ntime: u32Field(ntime, 'ntime'),
    cleanJobs: clean,
  };
}

/** mining.set_extranonce params: [extranonce1, extranonce2_size] (NiceHash extension). */
export function parseSetExtranonce(params: unknown[]): SubscribeResult {
  return parseSubscribeResult([null, params[0], params[1]]);
}

/** Reply to mining.authorize or mining.submit: accepted only on result true and no error. */
export function parseBooleanReply(msg: StratumResponse): { accepted: boolean; error: string | null } {
  if (msg.error !== null) return { accepted: false, error: msg.error };
  if (msg.result === true) return { accepted: true, error: null };
  return { accepted: false, error: `result ${JSON.stringify(msg.result)}` };
}
