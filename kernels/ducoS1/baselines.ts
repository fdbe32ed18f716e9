// The naive per-nonce loops that bench compares the kernels against; the node:crypto
// one is what the official Duino-Coin miners do (hashlib.sha1 per nonce).
import { createHash } from 'node:crypto';
import type { Kernel, Scanner } from '../types.ts';
import { ducoJobOf } from './jsKernel.ts';
import { ducoDigest, sameBytes } from './reference.ts';

function libraryKernel(name: string, digest: (lastHash: string, nonce: number) => Uint8Array): Kernel {
  return {
    name,
    algo: 'duco-s1',
    available: () => true,
    prepare(job): Scanner {
      const { lastHash, expectedHash } = ducoJobOf(job);
      return {
        scan(start, count, onShare) {
          for (let n = start, end = start + count; n < end; n++) {
            if (sameBytes(digest(lastHash, n), expectedHash)) onShare(n);
          }
        },
      };
    },
  };
}

export const nodeCryptoBaseline = libraryKernel('duco-s1-node-crypto',
  (lastHash, n) => createHash('sha1').update(lastHash + String(n)).digest());
export const nobleBaseline = libraryKernel('duco-s1-noble', ducoDigest);
