// The naive per-nonce library loops that bench compares the kernels against.
import { scryptSync } from 'node:crypto';
import { scrypt } from '@noble/hashes/scrypt.js';
import type { Kernel, Scanner } from '../types.ts';
import { headerJobOf } from './jsKernel.ts';

/** PoW digest (raw) <= target (big-endian) with the digest read little-endian. */
export function rawDigestAtMost(digest: Uint8Array, target: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) {
    const h = digest[31 - i];
    const t = target[i];
    if (h !== t) return h < t;
  }
  return true;
}

function libraryKernel(name: string, hash: (header: Uint8Array) => Uint8Array): Kernel {
  return {
    name,
    algo: 'scrypt',
    available: () => true,
    prepare(job): Scanner {
      const { header, target } = headerJobOf(job);
      const h = Uint8Array.from(header);
      const dv = new DataView(h.buffer);
      return {
        scan(start, count, onShare) {
          for (let n = start, end = start + count; n < end; n++) {
            dv.setUint32(76, n, true);
            if (rawDigestAtMost(hash(h), target)) onShare(n);
          }
        },
      };
    },
  };
}

export const nobleBaseline = libraryKernel('scrypt-noble', (h) => scrypt(h, h, { N: 1024, r: 1, p: 1, dkLen: 32 }));
export const nodeCryptoBaseline = libraryKernel('scrypt-node-crypto', (h) => scryptSync(h, h, 32, { N: 1024, r: 1, p: 1 }));
