// WebAssembly SIMD DUCO-S1 kernel (sha1x4.wat): 40 nonces per call, four decades in
// the four lanes. Windows not aligned to decades, groups where the digit count
// changes and 16-digit nonces go to the JS kernel's scanner.
import { readFileSync } from 'node:fs';
import type { Kernel, Scanner } from '../types.ts';
import { type DucoKernelTweaks, createDucoJsKernel, ducoJobOf } from './jsKernel.ts';
import { type DucoUnit, ONE_BLOCK_NONCE_LIMIT, SHA1_K, lastDigitShift, prepareDucoUnit, writeNonceWords } from './sha1Block.ts';
import { preferOptimisedWasm } from '../wasmTier.ts';

const LANES = 4;
const GROUP = 10 * LANES;

let module: WebAssembly.Module | null | undefined;
/** Compiled on first use, so a thread without SIMD support never fails at import. */
function sha1x4Module(): WebAssembly.Module | null {
  if (module === undefined) {
    try {
      preferOptimisedWasm();
      module = new WebAssembly.Module(readFileSync(new URL('./sha1x4.wasm', import.meta.url)));
    } catch {
      module = null;
    }
  }
  return module;
}

interface Sha1x4 {
  /** The module's memory as words (layout in sha1x4.wat). */
  readonly mem: Int32Array;
  readonly scan40: (lastOffset: number, inc: number) => number;
}

/** One instance (64 KiB) per thread, shared by scanners: scan() is synchronous. */
let shared: Sha1x4 | undefined;
function sha1x4(): Sha1x4 {
  if (!shared) {
    const instance = new WebAssembly.Instance(sha1x4Module()!, {});
    const memory = instance.exports.memory as WebAssembly.Memory;
    shared = { mem: new Int32Array(memory.buffer, 0, 512), scan40: instance.exports.scan40 as Sha1x4['scan40'] };
  }
  return shared;
}

const digitCount = (n: number): number => String(n).length;

class WasmScanner implements Scanner {
  private readonly unit: DucoUnit;
  private readonly words = new Int32Array(16);

  constructor(private readonly fallback: Scanner, job: Parameters<Kernel['prepare']>[0], private readonly k: Int32Array) {
    const { lastHash, expectedHash } = ducoJobOf(job);
    this.unit = prepareDucoUnit(lastHash, expectedHash, k);
  }

  /** The instance is shared, so every scan call loads this unit's constants. */
  private load(mem: Int32Array): void {
    const { prefix, state10, want76 } = this.unit;
    for (let i = 0; i < 10; i++) mem.fill(prefix[i], i * LANES, i * LANES + LANES);
    mem.set(state10, 64);
    mem[69] = want76;
    mem.set(this.k, 70);
  }

  scan(start: number, count: number, onShare: (nonce: number) => void): void {
    const { mem, scan40 } = sha1x4();
    this.load(mem);
    const { words, fallback } = this;
    const end = start + count;
    let n = start;
    while (n < end) {
      const aligned = n % 10 === 0 && n + GROUP <= Math.min(end, ONE_BLOCK_NONCE_LIMIT) && digitCount(n) === digitCount(n + GROUP - 1);
      if (!aligned) {
        // Up to the next decade boundary (or the end) with the scalar kernel.
        const stop = Math.min(end, n - (n % 10) + 10);
        fallback.scan(n, stop - n, onShare);
        n = stop;
        continue;
      }
      let lastWord = 0;
      for (let l = 0; l < LANES; l++) {
        lastWord = writeNonceWords(words, n + 10 * l);
        for (let i = 10; i < 16; i++) mem[i * LANES + l] = words[i];
      }
      // A lane's a_76 matched (odds 40·2^-32 per group): let the exact path decide.
      if (scan40(lastWord * 16, 1 << lastDigitShift(n)) !== 0) fallback.scan(n, GROUP, onShare);
      n += GROUP;
    }
  }
}

export function createDucoWasmKernel(tweaks: DucoKernelTweaks = {}): Kernel {
  const k = tweaks.sha1K ?? SHA1_K;
  const js = createDucoJsKernel(tweaks);
  return {
    name: 'duco-s1-wasm-simd',
    algo: 'duco-s1',
    available: () => sha1x4Module() !== null,
    prepare: (job) => new WasmScanner(js.prepare(job), job, k),
  };
}
