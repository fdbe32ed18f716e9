// Layout of the memory shared between the pool and its workers. Workers poll these
// words between batches (cpuminer's restart flag, made explicit with Atomics), so a
// cancel, pause or new throttle level takes effect within one batch (~batch_ms).
import type { KernelJob } from '../../kernels/types.ts';

/** Int32 index: generation; bumped when the running unit is cancelled or replaced. */
export const CTRL_GEN = 0;
/** Int32 index: bumped (and notified) to wake sleeping workers early. */
export const CTRL_WAKE = 1;
/** Int32 index: duty-cycle period in ms. */
export const CTRL_PERIOD = 2;
/** Int32 index of worker k's duty in permille (0 = parked, 1000 = full speed). */
export const ctrlDuty = (k: number): number => 3 + k;
export const ctrlWords = (threads: number): number => 3 + threads;

/** BigInt64 index in a unit's cursor buffer: next nonce offset to claim. */
export const CUR_NEXT = 0;
/** BigInt64 index: hashes completed for this unit (exact count). */
export const CUR_DONE = 1;
/** BigInt64 index of worker k's claimed offset + 1 (0 = no claim in progress). */
export const curClaimOff = (k: number): number => 2 + 2 * k;
/** BigInt64 index of worker k's claimed length. */
export const curClaimLen = (k: number): number => 3 + 2 * k;
export const cursorWords = (threads: number): number => 2 + 2 * threads;

/** Main → worker: start scanning a unit. */
export interface UnitMessage {
  type: 'unit';
  gen: number;
  kernel: string;
  job: KernelJob;
  /** First nonce of the unit. */
  start: number;
  /** Number of nonces in the unit. */
  total: number;
  cursor: SharedArrayBuffer;
  /** Ranges (offset, length) left unfinished by a crashed worker; scanned first. */
  retries: [number, number][];
}

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'share'; gen: number; nonce: number }
  | { type: 'progress'; gen: number; hashes: number; ms: number }
  | { type: 'drained'; gen: number }
  /** The worker saw the generation change and dropped the unit (after its last progress). */
  | { type: 'stopped'; gen: number }
  | { type: 'failed'; gen: number; message: string }
  /** Answer to a retire request (threads/set): the thread holds no claim and exits; `retries` are ranges it still owed. */
  | { type: 'retired'; gen: number; retries: [number, number][] };
