// The per-nonce library loops that bench compares the kernels against (the
// reference rows): what a user writes without a specialised kernel. They allocate
// per nonce on purpose; they are still correct kernels and pass the same checks.
import * as nodeCrypto from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Kernel, KernelJob, Scanner } from '../types.ts';
import { assertHeaderJob, HEADER_BYTES } from './share.ts';

/** reverse(digest) <= target, reading the digest from its last byte. */
function reversedMeets(digest: Uint8Array, target: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) {
    const d = digest[31 - i]!;
    if (d !== target[i]) return d < target[i]!;
  }
  return true;
}

function makeBaseline(name: string, sha256d: (header: Uint8Array) => Uint8Array): Kernel {
  return {
    name,
    algo: 'sha256d',
    available: () => true,
    prepare(job: KernelJob): Scanner {
      assertHeaderJob(job);
      const header = job.header.slice(0, HEADER_BYTES);
      const view = new DataView(header.buffer);
      const target = job.target;
      return {
        scan(start: number, count: number, onShare: (nonce: number) => void): void {
          for (let i = 0; i < count; i++) {
            const nonce = start + i;
            view.setUint32(76, nonce, true);
            if (reversedMeets(sha256d(header), target)) onShare(nonce);
          }
        },
      };
    },
  };
}

export const sha256dNobleNaive: Kernel = makeBaseline('sha256d-noble-naive', (h) => sha256(sha256(h)));

// crypto.hash (Node >= 20.12) skips the Hash object; createHash where it is missing.
// Read off the namespace: a named import of `hash` fails to link on Node 18 and
// 20.0-20.11 before this fallback could run.
const oneShotHash = (nodeCrypto as Partial<typeof nodeCrypto>).hash;
const nodeSha256 = typeof oneShotHash === 'function'
  ? (data: Uint8Array): Uint8Array => oneShotHash('sha256', data, 'buffer')
  : (data: Uint8Array): Uint8Array => nodeCrypto.createHash('sha256').update(data).digest();

export const sha256dNodeCrypto: Kernel = makeBaseline('sha256d-node-crypto', (h) => nodeSha256(nodeSha256(h)));

/** The most naive Node form, a Hash object per digest: what "createHash x 2 per nonce" code costs. */
export const sha256dNodeCreateHash: Kernel = makeBaseline('sha256d-node-createhash',
  (h) => nodeCrypto.createHash('sha256').update(nodeCrypto.createHash('sha256').update(h).digest()).digest());
