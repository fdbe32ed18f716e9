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
  /** ckpool's top-level "reject-reason" beside result false (stratifier.c parse_submit). */
  rejectReason: string | null;
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
  /**
   * The mining.notify subscription id: what a client passes as the second
   * mining.subscribe parameter to resume the session (ckpool keeps enonce1 for
   * a returning session id; public-pool uses its extranonce1 as the id).
   */
  sessionId: string | null;
}

/** client.reconnect params: [host?, port?, wait_s?] (slushpool docs; all optional). */
export interface ReconnectRequest {
  host: string | null;
  port: number | null;
  waitS: number;
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

/**
 * A big-endian u32 as hex. public-pool sends version/nbits/ntime without
 * leading zeros ("2000000" style, odd lengths included), so 1-8 digits are read;
 * anything else is an error.
 */
export function u32Field(val: unknown, what: string): number {
  if (typeof val !== 'string' || !/^[0-9a-fA-F]{1,8}$/.test(val)) fail(`${what} must be 1-8 hex digits`);
  return parseInt(val, 16) >>> 0;
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
    const rr = data['reject-reason'];
    return {
      kind: 'response', id: id ?? null, result: data.result ?? null, error: describeStratumError(data.error),
      rejectReason: typeof rr === 'string' && rr !== '' ? rr.slice(0, 200) : null,
    };
  }
  fail('neither a call (method) nor a response (result/error)');
}

/** The id of the mining.notify subscription in a subscribe result, if it has one. */
function subscriptionId(subs: unknown): string | null {
  if (!Array.isArray(subs)) return null;
  // Either [["mining.set_difficulty", id], ["mining.notify", id]] or a single pair.
  const pairs = Array.isArray(subs[0]) ? subs : [subs];
  for (const p of pairs) {
    if (Array.isArray(p) && p[0] === 'mining.notify' && typeof p[1] === 'string' && /^[\x21-\x7e]{1,64}$/.test(p[1])) return p[1];
  }
  return null;
}

/**
 * mining.subscribe result: [subscriptions, extranonce1, extranonce2_size]. The
 * mining.notify subscription id is kept: a client resumes its session by
 * subscribing with it.
 */
export function parseSubscribeResult(result: unknown): SubscribeResult {
  if (!Array.isArray(result) || result.length < 3) fail('mining.subscribe result must be [subscriptions, extranonce1, extranonce2_size]');
  const extranonce1 = hexField(result[1], 'extranonce1');
  const size = result[2];
  // At least 1 byte so units can be told apart; 16 bytes is far beyond any pool.
  if (!Number.isInteger(size) || (size as number) < 1 || (size as number) > 16) fail('extranonce2_size must be an integer in 1..16');
  return { extranonce1, extranonce2Size: size as number, sessionId: subscriptionId(result[0]) };
}

/** client.reconnect params; a missing or junk field means "the same" / "now". */
export function parseReconnect(params: unknown[]): ReconnectRequest {
  const [h, p, w] = params;
  const host = typeof h === 'string' && /^[A-Za-z0-9.:\-[\]]{1,253}$/.test(h) ? h : null;
  const portNum = typeof p === 'string' ? Number(p) : p;
  const port = typeof portNum === 'number' && Number.isInteger(portNum) && portNum >= 1 && portNum <= 65535 ? portNum : null;
  const waitNum = typeof w === 'string' ? Number(w) : w;
  const waitS = typeof waitNum === 'number' && Number.isFinite(waitNum) && waitNum > 0 ? waitNum : 0;
  return { host, port, waitS };
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
export function parseSetExtranonce(params: unknown[]): Omit<SubscribeResult, 'sessionId'> {
  const { extranonce1, extranonce2Size } = parseSubscribeResult([null, params[0], params[1]]);
  return { extranonce1, extranonce2Size };
}

/** Reply to mining.authorize or mining.submit: accepted only on result true and no error. */
export function parseBooleanReply(msg: StratumResponse): { accepted: boolean; error: string | null } {
  if (msg.error !== null) return { accepted: false, error: msg.rejectReason ? `${msg.error} (${msg.rejectReason})` : msg.error };
  if (msg.result === true) return { accepted: true, error: null };
  if (msg.rejectReason !== null) return { accepted: false, error: msg.rejectReason };
  return { accepted: false, error: `result ${JSON.stringify(msg.result)}` };
}

/**
 * A reject reason as a counter key: the text without the numeric code pools put
 * in front ("23: Low difficulty share" → "low difficulty share"), lower case,
 * at most 48 characters, so reasons from different pools group together.
 */
export function rejectReasonKey(error: string | null): string {
  if (error === null) return 'unknown';
  const text = error.replace(/^-?\d+\s*:\s*/, '').replace(/\s+/g, ' ').trim().toLowerCase();
  return (text === '' ? 'unknown' : text).slice(0, 48);
}
