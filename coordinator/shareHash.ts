// The hash function share verification uses: AlgoModule.hashAt of the kernel
// registry, i.e. the same reference code the agent uses for the `hash` field of
// its shares (re-hashed with the same kernel code the agent uses).
// referenceSha256dAt (node:crypto, OpenSSL's SHA-256) is an independent second
// implementation: tests cross-check the two, and the bench compares their speed.
import { createHash } from 'node:crypto';
import { getAlgoModule } from '../kernels/registry.ts';
import type { KernelJob } from '../kernels/types.ts';
import { HashlingError } from '../protocol/errors.ts';
import type { HashAt } from './verify.ts';

/** sha256d of the header with `nonce` little-endian at bytes 76..79, reversed to display order. */
export function referenceSha256dAt(job: KernelJob, nonce: number): Uint8Array {
  if (job.algo === 'duco-s1') throw new TypeError('the coordinator only carves header algorithms');
  const h = Buffer.from(job.header);
  h.writeUInt32LE(nonce >>> 0, 76);
  const d = createHash('sha256').update(createHash('sha256').update(h).digest()).digest();
  return d.reverse();
}

/** hashAt of the kernel registry for each header algorithm the coordinator carves. */
export async function resolveHashAt(): Promise<HashAt> {
  const sha = getAlgoModule('sha256d');
  const scrypt = getAlgoModule('scrypt');
  if (!sha) throw new HashlingError('E_SELFTEST', 'the sha256d kernel module is not available; cannot verify shares');
  return (job, nonce) => {
    if (job.algo === 'scrypt') {
      if (!scrypt) throw new HashlingError('E_SELFTEST', 'the scrypt kernel module is not available; cannot verify scrypt shares');
      return scrypt.hashAt(job, nonce);
    }
    return sha.hashAt(job, nonce);
  };
}
