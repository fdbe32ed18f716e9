// Builders of the agent's outgoing payloads (docs/protocol.md). Every payload
// carries "v": 1 and snake_case keys with units.
import type { HashlingError } from './errors.ts';

export type AgentMode = 'idle' | 'hashing' | 'paused' | 'throttled';
export type ResultStatus = 'done' | 'expired' | 'cancelled';

export function statusPayload(state: 'online' | 'offline' | 'lost', ts: number): string {
  return JSON.stringify({ v: 1, state, ts });
}

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

export function eventPayload(type: 'error' | 'warning', err: Pick<HashlingError, 'code' | 'message' | 'unitId'>, ts: number): string {
  const body: Record<string, unknown> = { v: 1, type, code: err.code, message: err.message };
  if (err.unitId !== undefined) body.unit_id = err.unitId;
  body.ts = ts;
  return JSON.stringify(body);
}
