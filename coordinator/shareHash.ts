// The hash function share verification uses. The issue asks for "the same kernel
// code the agent uses": AlgoModule.hashAt from kernels/registry.ts. Until that
// registry is importable here, this reference (node:crypto, OpenSSL's SHA-256)
// computes the same display-order sha256d digest, and tests cross-check the two.
import { createHash } from 'node:crypto';
import type { KernelJob } from '../kernels/types.ts';
import type { HashAt } from './verify.ts';

/** sha256d of the header with `nonce` little-endian at bytes 76..79, reversed to display order. */
export function referenceSha256dAt(job: KernelJob, nonce: number): Uint8Array {
  if (job.algo === 'duco-s1') throw new TypeError('the coordinator only carves header algorithms');
  const h = Buffer.from(job.header);
  h.writeUInt32LE(nonce >>> 0, 76);
  const d = createHash('sha256').update(createHash('sha256').update(h).digest()).digest();
  return d.reverse();
}

export async function resolveHashAt(): Promise<HashAt> {
  return referenceSha256dAt;
}
