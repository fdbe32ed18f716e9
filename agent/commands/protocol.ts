// The command wire format (docs/protocol.md, "Commands"), as pure functions:
// which topics are commands for this device, what a request payload holds, and
// the response shape (Zigbee2MQTT's bridge/response: status, data, error, transaction).
import { HashlingError } from '../../protocol/errors.ts';

/** Requests above this are refused before JSON.parse (a command is a few hundred bytes). */
export const MAX_COMMAND_BYTES = 16 * 1024;

export type CommandScope = { kind: 'device' } | { kind: 'group'; group: string } | { kind: 'all' };

export interface CommandTopic {
  verb: string;
  scope: CommandScope;
}

/** The subscriptions a device needs: its own, each of its groups', and the fleet's. */
export function commandFilters(base: string, id: string, groups: readonly string[]): string[] {
  return [`${base}/${id}/cmd/#`, ...groups.map((g) => `${base}/group/${g}/cmd/#`), `${base}/all/cmd/#`];
}

/**
 * `<base>/<id>/cmd/<verb>`, `<base>/group/<g>/cmd/<verb>` (g one of groups) or
 * `<base>/all/cmd/<verb>` → the verb (which may contain "/", e.g. budget/set); null otherwise.
 */
export function parseCommandTopic(base: string, id: string, groups: readonly string[], topic: string): CommandTopic | null {
  if (!topic.startsWith(`${base}/`)) return null;
  const parts = topic.slice(base.length + 1).split('/');
  let scope: CommandScope;
  let rest: string[];
  if (parts[0] === id && parts[1] === 'cmd') { scope = { kind: 'device' }; rest = parts.slice(2); }
  else if (parts[0] === 'all' && parts[1] === 'cmd') { scope = { kind: 'all' }; rest = parts.slice(2); }
  else if (parts[0] === 'group' && parts[2] === 'cmd' && groups.includes(parts[1])) { scope = { kind: 'group', group: parts[1] }; rest = parts.slice(3); }
  else return null;
  if (rest.length === 0 || rest.some((p) => p === '')) return null;
  return { verb: rest.join('/'), scope };
}

export interface CommandRequest {
  /** Echoed verbatim in the response; absent when the request had none. */
  transaction?: unknown;
  /** Every key but `v` and `transaction`. */
  args: Record<string, unknown>;
}

/**
 * Parses a request payload: a JSON object with "v": 1. An empty payload is a
 * request without arguments (so `mosquitto_pub -n` and HA buttons work).
 */
export function parseCommandPayload(payload: Buffer): CommandRequest {
  if (payload.length > MAX_COMMAND_BYTES) throw new HashlingError('E_TOO_LARGE', `command payload is ${payload.length} bytes; at most ${MAX_COMMAND_BYTES}`);
  if (payload.length === 0) return { args: {} };
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new HashlingError('E_BAD_JSON', 'command payload is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HashlingError('E_BAD_COMMAND', 'command payload must be a JSON object');
  const { v, transaction, ...args } = body as Record<string, unknown>;
  if (v !== 1) throw new HashlingError('E_BAD_VERSION', `"v" must be 1 (got ${JSON.stringify(v)})`);
  return transaction === undefined ? { args } : { transaction, args };
}

/** The transaction of a payload that may be invalid otherwise, so even an error response carries it. */
export function peekTransaction(payload: Buffer): unknown {
  if (payload.length === 0 || payload.length > MAX_COMMAND_BYTES) return undefined;
  try {
    const body = JSON.parse(payload.toString('utf8')) as unknown;
    return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>).transaction : undefined;
  } catch {
    return undefined;
  }
}

export interface CommandResponse {
  v: 1;
  status: 'ok' | 'error';
  data: Record<string, unknown>;
  error?: { code: string; message: string };
  transaction?: unknown;
  /** The answering device: group/all commands and MQTT 5 response topics collect many. */
  device: string;
}

export function okResponse(device: string, data: Record<string, unknown>, transaction: unknown): CommandResponse {
  const r: CommandResponse = { v: 1, status: 'ok', data, device };
  if (transaction !== undefined) r.transaction = transaction;
  return r;
}

export function errorResponse(device: string, err: HashlingError, transaction: unknown, data: Record<string, unknown> = {}): CommandResponse {
  const r: CommandResponse = { v: 1, status: 'error', data, error: { code: err.code, message: err.message }, device };
  if (transaction !== undefined) r.transaction = transaction;
  return r;
}
