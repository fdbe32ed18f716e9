// WebAssembly SIMD scrypt kernel: ROMix for four nonces per call (romix.wat), the
// PBKDF2 steps around it in JS (headerHmac.ts, a few µs of the ~100 µs per nonce).
import { readFileSync } from 'node:fs';
import type { Kernel, Scanner } from '../types.ts';
import { HeaderHmac, targetWords, wordsAtMost } from './headerHmac.ts';
import { type ScryptKernelTweaks, headerJobOf } from './jsKernel.ts';
import { SHA256_K } from './sha256.ts';

const LANES = 4;

let module: WebAssembly.Module | null | undefined;
/** Compiled on first use, so a thread without SIMD support never fails at import. */
function romixModule(): WebAssembly.Module | null {
  if (module === undefined) {
    try {
      module = new WebAssembly.Module(readFileSync(new URL('./romix.wasm', import.meta.url)));
    } catch {
      module = null;
    }
  }
  return module;
}

interface Romix {
  /** X: word k of lane L at index 4k + L (32 words × 4 lanes). */
  readonly x: Int32Array;
  readonly run: (doubleRounds: number) => void;
}

/** One instance (576 KiB memory) per thread, shared by scanners: scan() is synchronous. */
let shared: Romix | undefined;
function romix(): Romix {
  if (!shared) {
    const instance = new WebAssembly.Instance(romixModule()!, {});
    const memory = instance.exports.memory as WebAssembly.Memory;
    shared = { x: new Int32Array(memory.buffer, 0, 32 * LANES), run: instance.exports.romix4 as (dr: number) => void };
  }
  return shared;
}

class WasmScanner implements Scanner {
  private readonly hmac: HeaderHmac;
  private readonly target: Int32Array;
  private readonly b = new Int32Array(32);
  private readonly out = new Int32Array(8);

  constructor(job: Parameters<Kernel['prepare']>[0], k: Int32Array, private readonly rounds: number) {
    const { header, target } = headerJobOf(job);
    this.hmac = new HeaderHmac(header, k, LANES);
    this.target = targetWords(target);
  }

  scan(start: number, count: number, onShare: (nonce: number) => void): void {
    const { hmac, b, out, target } = this;
    const { x, run } = romix();
    const t0 = target[0] >>> 0;
    const end = start + count;
    for (let n = start; n < end; n += LANES) {
      const lanes = Math.min(LANES, end - n);
      // A short last group repeats its last nonce in the spare lanes (never past end,
      // so never past 0xFFFFFFFF) and ignores their results.
      for (let l = 0; l < LANES; l++) {
        hmac.begin(n + Math.min(l, lanes - 1), l, b);
        for (let k = 0; k < 32; k++) x[k * LANES + l] = b[k];
      }
      run(this.rounds);
      for (let l = 0; l < lanes; l++) {
        for (let k = 0; k < 32; k++) b[k] = x[k * LANES + l];
        hmac.finish(l, b, out);
        if (out[0] >>> 0 <= t0 && wordsAtMost(out, target)) onShare(n + l);
      }
    }
  }
}

export function createScryptWasmKernel(tweaks: ScryptKernelTweaks = {}): Kernel {
  const k = tweaks.sha256K ?? SHA256_K;
  const rounds = tweaks.salsaDoubleRounds ?? 4;
  return {
    name: 'scrypt-wasm-simd',
    algo: 'scrypt',
    available: () => romixModule() !== null,
    prepare: (job) => new WasmScanner(job, k, rounds),
  };
}
