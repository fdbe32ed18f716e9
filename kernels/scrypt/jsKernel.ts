// Plain-JavaScript scrypt kernel: the fallback where WebAssembly SIMD is missing.
import type { HeaderJob, Kernel, KernelJob, Scanner } from '../types.ts';
import { HeaderHmac, targetWords, wordsAtMost } from './headerHmac.ts';
import { romixR1 } from './salsa.ts';
import { SHA256_K } from './sha256.ts';

/** Litecoin's scrypt parameters: N = 1024, r = 1, p = 1, dkLen = 32. */
export const SCRYPT_N = 1024;

/** Knobs that exist only so tests can prove the self-test catches a broken kernel. */
export interface ScryptKernelTweaks {
  /** SHA-256 round constants used by PBKDF2 (default FIPS 180-4 K). */
  sha256K?: Int32Array;
  /** Salsa20/8 double rounds (default 4). */
  salsaDoubleRounds?: number;
}

export function headerJobOf(job: KernelJob): HeaderJob {
  if (job.algo !== 'scrypt') throw new TypeError(`scrypt kernel got a ${job.algo} job`);
  if (job.header.length !== 80) throw new RangeError(`scrypt header must be 80 bytes, got ${job.header.length}`);
  if (job.target.length !== 32) throw new RangeError(`scrypt target must be 32 bytes, got ${job.target.length}`);
  return job;
}

class JsScanner implements Scanner {
  private readonly hmac: HeaderHmac;
  private readonly target: Int32Array;
  private readonly x = new Int32Array(32);
  /** ROMix scratch V: 1024 × 128 bytes, allocated once per unit, not per nonce. */
  private readonly v = new Int32Array(32 * SCRYPT_N);
  private readonly out = new Int32Array(8);

  constructor(job: HeaderJob, k: Int32Array, private readonly rounds: number) {
    this.hmac = new HeaderHmac(job.header, k, 1);
    this.target = targetWords(job.target);
  }

  scan(start: number, count: number, onShare: (nonce: number) => void): void {
    const { hmac, x, v, out, target, rounds } = this;
    const t0 = target[0] >>> 0;
    for (let n = start, end = start + count; n < end; n++) {
      hmac.begin(n, 0, x);
      romixR1(x, v, SCRYPT_N, rounds);
      hmac.finish(0, x, out);
      // One-word test first; the full compare is rare for real targets.
      if (out[0] >>> 0 <= t0 && wordsAtMost(out, target)) onShare(n);
    }
  }
}

export function createScryptJsKernel(tweaks: ScryptKernelTweaks = {}): Kernel {
  const k = tweaks.sha256K ?? SHA256_K;
  const rounds = tweaks.salsaDoubleRounds ?? 4;
  return {
    name: 'scrypt-js',
    algo: 'scrypt',
    available: () => true,
    prepare: (job) => new JsScanner(headerJobOf(job), k, rounds),
  };
}
