// The WebAssembly SIMD sha256d kernels: each generated module (generated/wasm*.wat,
// built by scripts/buildKernels.ts) hashes 4 or 8 nonces per pass. This file only
// loads one, copies per-unit state in and turns candidate passes into shares.
import { readFileSync } from 'node:fs';
import type { Kernel, KernelJob, Scanner } from '../types.ts';
import { assertHeaderJob, confirmCandidate, headerWords, targetTopWord } from './share.ts';
import { byteSwap32 } from '../hex.ts';
import { preferOptimisedWasm } from '../wasmTier.ts';

interface SimdExports {
  memory: WebAssembly.Memory;
  prepare(): void;
  scan(n0: number, groups: number): number;
  inBase: WebAssembly.Global;
  outBase: WebAssembly.Global;
  lanes: WebAssembly.Global;
}

/**
 * Passes per call into wasm. V8 has no on-stack replacement for wasm, so a call
 * that started in the baseline compiler (Liftoff) stays there until it returns;
 * ~4 k nonces (about 1 ms) per call lets the optimised code take over quickly
 * while the call overhead stays far below 1 %.
 */
const GROUPS_PER_CALL = 1024;

// The smallest module using a SIMD instruction: (func (result v128) v128.const 0).
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
]);

export function simdSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

class Engine {
  readonly x: SimdExports;
  readonly lanes: number;
  readonly input: Int32Array;
  readonly out: Int32Array;
  private owner: unknown = null;

  constructor(module: WebAssembly.Module) {
    this.x = new WebAssembly.Instance(module, {}).exports as unknown as SimdExports;
    this.lanes = this.x.lanes.value as number;
    this.input = new Int32Array(this.x.memory.buffer, this.x.inBase.value as number, 20);
    this.out = new Int32Array(this.x.memory.buffer, this.x.outBase.value as number, this.lanes);
  }

  /**
   * Makes `owner`'s unit current: header words 0..18 and the target's top word go in,
   * the module's prepare step computes the per-unit state. Re-running it when
   * scanners alternate (under a microsecond) is simpler than saving and restoring it.
   */
  load(owner: unknown, input: Int32Array): void {
    if (this.owner === owner) return;
    this.input.set(input);
    this.x.prepare();
    this.owner = owner;
  }
}

export function createWasmSimdKernel(name: string, wasm: () => Uint8Array, sources: readonly URL[] = []): Kernel {
  let module: WebAssembly.Module | null = null;
  let engine: Engine | null = null;
  const getEngine = (): Engine => {
    if (!module) {
      preferOptimisedWasm();
      module = new WebAssembly.Module(wasm());
    }
    engine ??= new Engine(module);
    return engine;
  };
  return {
    name,
    sources,
    algo: 'sha256d',
    available: simdSupported,
    prepare(job: KernelJob): Scanner {
      assertHeaderJob(job);
      const eng = getEngine();
      const t0 = targetTopWord(job.target);
      const input = new Int32Array(20);
      input.set(headerWords(job.header));
      input[19] = t0 | 0;
      const scanner: Scanner = {
        scan(start: number, count: number, onShare: (nonce: number) => void): void {
          eng.load(scanner, input);
          const { lanes, out, x } = eng;
          let done = 0;
          while (done < count) {
            const groups = Math.min(GROUPS_PER_CALL, Math.ceil((count - done) / lanes));
            const n0 = start + done;
            let g = 0;
            while (g < groups) {
              const r = x.scan((n0 + g * lanes) | 0, groups - g);
              if (r >= groups - g) break;
              // A pass with a candidate lane: out holds its H7 words, lane order = nonce order.
              const first = done + (g + r) * lanes;
              const h7 = Array.from(out); // onShare may run another scanner on this engine
              for (let l = 0; l < lanes && first + l < count; l++) {
                const nonce = start + first + l;
                if (confirmCandidate(job, t0, byteSwap32(h7[l]!), nonce)) onShare(nonce);
              }
              eng.load(scanner, input);
              g += r + 1;
            }
            done += groups * lanes;
          }
        },
      };
      return scanner;
    },
  };
}

/** A generated module by its file (generated/<file>.wasm), read when first prepared. */
export function wasmVariantKernel(name: string, file: string): Kernel {
  const url = new URL(`./generated/${file}.wasm`, import.meta.url);
  return createWasmSimdKernel(name, () => readFileSync(url), [url]);
}
