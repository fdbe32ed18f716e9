// Reference share sets for the sha256d tests, computed two independent ways
// (@noble/hashes and node:crypto/OpenSSL) that must agree before a kernel is judged.
import { createHash } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import type { HeaderJob } from '../../../kernels/types.ts';

export function withNonce(header: Uint8Array, nonce: number): Uint8Array {
  const h = header.slice(0, 80);
  new DataView(h.buffer).setUint32(76, nonce >>> 0, true);
  return h;
}

/** Display-order sha256d by @noble/hashes. */
export function nobleHash(header: Uint8Array, nonce: number): Uint8Array {
  return sha256(sha256(withNonce(header, nonce))).reverse();
}

/** Display-order sha256d by node:crypto. */
export function nodeHash(header: Uint8Array, nonce: number): Uint8Array {
  const h = withNonce(header, nonce);
  return new Uint8Array(createHash('sha256').update(createHash('sha256').update(h).digest()).digest()).reverse();
}

export function leq(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) <= 0;
}

/** Shares of job in [start, start + count), asserting that both references agree. */
export function referenceShares(job: HeaderJob, start: number, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const n = start + i;
    const a = nobleHash(job.header, n);
    const b = nodeHash(job.header, n);
    if (Buffer.compare(Buffer.from(a), Buffer.from(b)) !== 0) throw new Error(`references disagree at nonce ${n}`);
    if (leq(a, job.target)) out.push(n);
  }
  return out;
}

/** A deterministic PRNG (splitmix32) so a failing case can be replayed from its seed. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function randomBytes(next: () => number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = next() & 0xff;
  return out;
}
