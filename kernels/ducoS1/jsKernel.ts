// Plain-JavaScript DUCO-S1 kernel: one-block SHA-1 with rounds 0..9 done once per
// unit and the decimal nonce kept as an odometer in the message words, so a nonce
// costs one word increment instead of a toString and a 40-byte re-encode.
import type { DucoJob, Kernel, KernelJob, Scanner } from '../types.ts';
import { a76Matches } from './sha1Unrolled.ts';
import { ducoDigest, sameBytes } from './reference.ts';
import {
  type DucoUnit, ONE_BLOCK_NONCE_LIMIT, SHA1_K, lastDigitShift, prepareDucoUnit, sha1Matches, writeNonceWords,
} from './sha1Block.ts';

/** Knob that exists only so tests can prove the self-test catches a broken kernel. */
export interface DucoKernelTweaks {
  /** SHA-1 round constants (default FIPS 180-4 §4.2.1). */
  sha1K?: Int32Array;
}

export function ducoJobOf(job: KernelJob): DucoJob {
  if (job.algo !== 'duco-s1') throw new TypeError(`duco-s1 kernel got a ${job.algo} job`);
  if (!/^[0-9a-f]{40}$/.test(job.lastHash)) throw new RangeError('duco-s1 lastHash must be 40 lowercase hex characters');
  if (job.expectedHash.length !== 20) throw new RangeError(`duco-s1 expectedHash must be 20 bytes, got ${job.expectedHash.length}`);
  return job;
}

/**
 * Scans [start, end) in decades: within one the message differs only in the last
 * digit's byte. Nonces of 16 digits (>= 10^15) go to sha1Slow via slow().
 */
export function scanDecades(
  start: number, end: number, base: Int32Array,
  decade: (n: number, stop: number, lastWord: number, inc: number) => void,
  slow: (n: number) => void,
): void {
  let n = start;
  const fastEnd = Math.min(end, ONE_BLOCK_NONCE_LIMIT);
  while (n < fastEnd) {
    const lastWord = writeNonceWords(base, n);
    const stop = Math.min(fastEnd, n - (n % 10) + 10);
    decade(n, stop, lastWord, 1 << lastDigitShift(n));
    n = stop;
  }
  for (; n < end; n++) slow(n);
}

class JsScanner implements Scanner {
  private readonly unit: DucoUnit;
  /** Message words W0..W15 of the current nonce; W0..W9 are the unit's prefix. */
  private readonly base = new Int32Array(16);
  private readonly w = new Int32Array(80);

  constructor(private readonly job: DucoJob, private readonly k: Int32Array) {
    this.unit = prepareDucoUnit(job.lastHash, job.expectedHash, k);
    this.base.set(this.unit.prefix);
  }

  scan(start: number, count: number, onShare: (nonce: number) => void): void {
    const { base, w, unit, k, job } = this;
    scanDecades(start, start + count, base, (n, stop, lastWord, inc) => {
      for (; n < stop; n++) {
        if (a76Matches(unit, base, k)) {
          w.set(base);
          if (sha1Matches(unit, w, k)) onShare(n);
        }
        base[lastWord] += inc;
      }
    }, (n) => {
      if (sameBytes(ducoDigest(job.lastHash, n), job.expectedHash)) onShare(n);
    });
  }
}

export function createDucoJsKernel(tweaks: DucoKernelTweaks = {}): Kernel {
  const k = tweaks.sha1K ?? SHA1_K;
  return {
    name: 'duco-s1-js',
    algo: 'duco-s1',
    available: () => true,
    prepare: (job) => new JsScanner(ducoJobOf(job), k),
  };
}
