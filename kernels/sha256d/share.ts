// What a sha256d share is, written once with @noble/hashes and shared by every
// kernel's slow path, the reference hashAt and the tests.
//
// The header hash is compared as a 256-bit little-endian number (Bitcoin; see
// ../shared/vectors/README.md): reverse(sha256d(header)) <= target in display order.
// Kernels first compare the display-order top word, byteswap(H7), with the
// target's top word; only an equal top word needs this full compare.
import { sha256 } from '@noble/hashes/sha2.js';
import type { HeaderJob, KernelJob } from '../types.ts';

export const HEADER_BYTES = 80;
export const TARGET_BYTES = 32;

/** Checks the shape of a sha256d job; throws labelled errors (fast path first). */
export function assertHeaderJob(job: KernelJob, algo: 'sha256d' | 'scrypt' = 'sha256d'): asserts job is HeaderJob {
  if (job.algo !== algo) throw new TypeError(`expected a ${algo} job, got ${String(job.algo)}`);
  if (!(job.header instanceof Uint8Array) || job.header.length !== HEADER_BYTES) {
    throw new RangeError(`header must be ${HEADER_BYTES} bytes`);
  }
  if (!(job.target instanceof Uint8Array) || job.target.length !== TARGET_BYTES) {
    throw new RangeError(`target must be ${TARGET_BYTES} bytes`);
  }
}

/** Header words 0..18 read big-endian (FIPS 180-4 §3.1), the form every kernel starts from. */
export function headerWords(header: Uint8Array): Int32Array {
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const words = new Int32Array(19);
  for (let i = 0; i < 19; i++) words[i] = view.getInt32(4 * i, false);
  return words;
}

/** The target's most significant 32-bit word (display order), as a uint32. */
export function targetTopWord(target: Uint8Array): number {
  return ((target[0]! << 24) | (target[1]! << 16) | (target[2]! << 8) | target[3]!) >>> 0;
}

/** sha256d of the header with the nonce stored little-endian at bytes 76..79, display order. */
export function headerHashAt(header: Uint8Array, nonce: number): Uint8Array {
  const h = header.slice(0, HEADER_BYTES);
  new DataView(h.buffer).setUint32(76, nonce >>> 0, true);
  return sha256(sha256(h)).reverse();
}

/** digest <= target, both 32 bytes big-endian. */
export function meetsTarget(digest: Uint8Array, target: Uint8Array): boolean {
  for (let i = 0; i < TARGET_BYTES; i++) {
    if (digest[i] !== target[i]) return digest[i]! < target[i]!;
  }
  return true;
}

/**
 * Turns a kernel's candidate into a decision: topWord = byteswap(H7) as computed by
 * the kernel. Strictly below the target's top word is a share outright; equal needs
 * the full 256-bit compare (reference hash; happens ~2^-32 of nonces for real targets).
 */
export function confirmCandidate(job: HeaderJob, t0: number, topWord: number, nonce: number): boolean {
  if (topWord < t0) return true;
  if (topWord > t0) return false;
  return meetsTarget(headerHashAt(job.header, nonce), job.target);
}
