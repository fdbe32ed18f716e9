// WebAssembly SIMD scrypt kernel: one call of scrypt4 (romix.wat) hashes four nonces,
// PBKDF2-HMAC-SHA256 and ROMix both lane-parallel in WebAssembly, so per nonce JS only
// writes the nonces and compares the digests with the target.
import { readFileSync } from 'node:fs';
import type { Kernel, Scanner } from '../types.ts';
import { targetWords, wordsAtMost } from './headerHmac.ts';
import { type ScryptKernelTweaks, headerJobOf } from './jsKernel.ts';
import { ROMIX_MEM as MEM } from './romixWat.ts';
import { SHA256_IV, SHA256_K, bswap32, sha256Compress } from './sha256.ts';
import { preferOptimisedWasm } from '../wasmTier.ts';

const LANES = 4;

let module: WebAssembly.Module | null | undefined;
/** Compiled on first use, so a thread without SIMD support never fails at import. */
function romixModule(): WebAssembly.Module | null {
  if (module === undefined) {
    try {
      preferOptimisedWasm();
      module = new WebAssembly.Module(readFileSync(new URL('./romix.wasm', import.meta.url)));
    } catch {
      module = null;
    }
  }
  return module;
}

interface Scrypt4 {
  /** The module's memory as words; a v128 value v at byte offset o spans mem[o/4 .. o/4+3]. */
  readonly mem: Int32Array;
  readonly run: (doubleRounds: number) => void;
  /** The scanner whose unit constants are in memory now (several may share a thread). */
  owner: WasmScanner | null;
}

/** One instance (9 × 64 KiB memory) per thread, shared by scanners: scan() is synchronous. */
let shared: Scrypt4 | undefined;
function scrypt4(): Scrypt4 {
  if (!shared) {
    const instance = new WebAssembly.Instance(romixModule()!, {});
    const memory = instance.exports.memory as WebAssembly.Memory;
    shared = { mem: new Int32Array(memory.buffer), run: instance.exports.scrypt4 as (dr: number) => void, owner: null };
  }
  return shared;
}

/** Writes each word of src to all four lanes of consecutive v128 values at byte offset at. */
function splat(mem: Int32Array, at: number, src: ArrayLike<number>): void {
  for (let i = 0; i < src.length; i++) mem.fill(src[i], (at >> 2) + 4 * i, (at >> 2) + 4 * i + 4);
}

class WasmScanner implements Scanner {
  /** Per-unit constants for the module: header words (big-endian) and the key midstate. */
  private readonly hw = new Int32Array(20);
  private readonly keyMid = new Int32Array(8);
  private readonly target: Int32Array;
  private readonly out = new Int32Array(8);

  constructor(job: Parameters<Kernel['prepare']>[0], private readonly k: Int32Array, private readonly rounds: number) {
    const { header, target } = headerJobOf(job);
    const dv = new DataView(header.buffer, header.byteOffset, 80);
    for (let i = 0; i < 20; i++) this.hw[i] = dv.getInt32(i * 4, false);
    // The HMAC key is SHA-256(header); its first block does not depend on the nonce.
    const w = new Int32Array(64);
    w.set(this.hw.subarray(0, 16));
    sha256Compress(this.keyMid, SHA256_IV, w, k);
    this.target = targetWords(target);
  }

  private load(s: Scrypt4): void {
    splat(s.mem, MEM.k, this.k);
    splat(s.mem, MEM.hw, this.hw);
    splat(s.mem, MEM.keyMid, this.keyMid);
    splat(s.mem, MEM.iv, SHA256_IV);
    s.owner = this;
  }

  scan(start: number, count: number, onShare: (nonce: number) => void): void {
    const s = scrypt4();
    if (s.owner !== this) this.load(s);
    const { mem, run } = s;
    const { out, target, rounds } = this;
    const t0 = target[0] >>> 0;
    const nonceAt = MEM.nonce >> 2;
    const outAt = MEM.out >> 2;
    const end = start + count;
    for (let n = start; n < end; n += LANES) {
      const lanes = Math.min(LANES, end - n);
      // A short last group repeats its last nonce in the spare lanes (never past end,
      // so never past 0xFFFFFFFF) and ignores their results.
      for (let l = 0; l < LANES; l++) mem[nonceAt + l] = n + Math.min(l, lanes - 1);
      run(rounds);
      for (let l = 0; l < lanes; l++) {
        // Display order: the digest reversed, i.e. big-endian words of its byte-swapped words.
        const h0 = bswap32(mem[outAt + 4 * 7 + l]) >>> 0;
        if (h0 > t0) continue; // one-word test first; the full compare is rare
        for (let j = 0; j < 8; j++) out[j] = bswap32(mem[outAt + 4 * (7 - j) + l]);
        if (wordsAtMost(out, target)) onShare(n + l);
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
