// Golden-vector self-test of one DUCO-S1 kernel, run before a device mines with it.
import type { DucoJob, Kernel, KernelJob } from '../types.ts';
import { ducoJobOf } from './jsKernel.ts';
import { ducoDigest, sameBytes } from './reference.ts';

/**
 * The job the Duino-Coin AVR miner sends every board before mining
 * (revoxhere/duino-coin AVR_Miner.py; ../shared/vectors/duco-s1.json): in 0..100·10
 * the only share is 50. Inlined because kernels must not read files outside the repo.
 */
const AVR_LAST_HASH = 'ba29a15896fd2d792d5c4b60668bf2b9feebc51d';
const AVR_EXPECTED = 'd0beba883d7e8cd119ea2b0e09b78f60f29e0968';
const AVR_NONCE = 50;

export function ducoHashAt(job: KernelJob, nonce: number): Uint8Array {
  return ducoDigest(ducoJobOf(job).lastHash, nonce);
}

export function ducoIsShare(job: KernelJob, digest: Uint8Array): boolean {
  return sameBytes(digest, ducoJobOf(job).expectedHash);
}

function sharesOf(kernel: Kernel, job: DucoJob, start: number, count: number): number[] {
  const found: number[] = [];
  kernel.prepare(job).scan(start, count, (n) => found.push(n));
  return found;
}

export function checkDucoKernel(kernel: Kernel): string | null {
  try {
    const avr: DucoJob = { algo: 'duco-s1', lastHash: AVR_LAST_HASH, expectedHash: Uint8Array.from(Buffer.from(AVR_EXPECTED, 'hex')) };
    const got = sharesOf(kernel, avr, 0, 1001);
    if (got.length !== 1 || got[0] !== AVR_NONCE) return `${kernel.name}: AVR self-test job gave [${got}], want [${AVR_NONCE}]`;
    // Shares planted where the digit count changes (9→10 digits; 15→16 digits, past
    // the one-block limit) and deep inside a long window (the SIMD path).
    const lastHash = '5d41402abc4b2a76b9719d911017c592a1b2c3d4';
    for (const [nonce, start, count] of [[1_000_000_000, 999_999_990, 20], [999_999_999_999_999, 999_999_999_999_995, 10],
      [1_000_000_000_000_001, 999_999_999_999_998, 5], [7_654_321, 7_654_000, 400]] as const) {
      const job: DucoJob = { algo: 'duco-s1', lastHash, expectedHash: ducoDigest(lastHash, nonce) };
      const found = sharesOf(kernel, job, start, count);
      if (found.length !== 1 || found[0] !== nonce) return `${kernel.name}: planted share ${nonce} gave [${found}]`;
    }
    return null;
  } catch (err) {
    return `${kernel.name}: threw ${(err as Error).message}`;
  }
}
