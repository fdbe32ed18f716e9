// Who a Stratum miner is. A miner authorizes as `<anything>.<worker>` (pools'
// address.worker convention); it becomes the fleet device `<worker>`, sanitized
// like any device id, or the whole name when it has no dot. Pure.
import { timingSafeEqual } from 'node:crypto';
import { sanitizeDeviceId } from '../../config/formats.ts';

/** Device id of a worker name: the part after the last ".", sanitized. */
export function workerDeviceId(workerName: string): string {
  const dot = workerName.lastIndexOf('.');
  const tail = dot >= 0 && dot < workerName.length - 1 ? workerName.slice(dot + 1) : workerName;
  return sanitizeDeviceId(tail);
}

export interface EndpointAuth {
  /** Allowed device ids; empty: any. */
  workers: readonly string[];
  /** Required password; empty: any. */
  password: string;
}

function samePassword(given: string, want: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(want, 'utf8');
  // Constant time for equal lengths; the length itself is not secret enough to hide.
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Null when the miner may mine as `deviceId`, else why not (sent back as the Stratum error text). */
export function checkAuthorize(auth: EndpointAuth, deviceId: string, password: unknown): string | null {
  if (auth.password !== '' && (typeof password !== 'string' || !samePassword(password, auth.password))) return 'wrong password';
  if (auth.workers.length > 0 && !auth.workers.includes(deviceId)) return `worker ${deviceId} is not allowed`;
  return null;
}
