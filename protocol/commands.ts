// The command wire format (docs/protocol.md, "Commands"), as pure functions:
// what a request payload holds and the response shape (Zigbee2MQTT's
// bridge/response: status, data, error, transaction). Topics: protocol/topics.ts.
import { HashlingError } from './errors.ts';
import { isRecord, parseWireJson } from './json.ts';

/** Requests above this are refused before JSON.parse (a command is a few hundred bytes). */
export const MAX_COMMAND_BYTES = 16 * 1024;

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
  if (payload.length === 0) return { args: {} };
  const body = parseWireJson(payload, MAX_COMMAND_BYTES, 'command payload');
  if (!isRecord(body)) throw new HashlingError('E_BAD_COMMAND', 'command payload must be a JSON object');
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

/** A command request payload as the fleet CLI and the coordinator send it. */
export function commandPayload(args: Record<string, unknown>, transaction?: unknown): string {
  return JSON.stringify(transaction === undefined ? { ...args, v: 1 } : { ...args, v: 1, transaction });
}

/** Reads a response payload (fleet CLI, coordinator); null when it is not one. */
export function parseCommandResponse(body: unknown): CommandResponse | null {
  if (!isRecord(body) || body.v !== 1 || (body.status !== 'ok' && body.status !== 'error') || typeof body.device !== 'string') return null;
  return body as unknown as CommandResponse;
}
