// The sha256d kernel variants: one table read by the generator (codegen/build.ts, which
// writes generated/<file>.*) and by the runtime (index.ts, which loads them). Every
// variant computes the same function from the same staged graph or round emitter; they
// differ only in instruction mix, which is what one CPU rewards and another punishes
// (docs/performance.md: the looped 4-lane form won on a Zen 3 core, the looped 8-lane
// form on a Zen 5 one). The planner (kernels/planner.ts) times them on the device.
//
// Size limits (V8 11.x, Node 20), checked by test/kernels/sha256dOptimised.test.ts:
// - JS: TurboFan refuses functions whose bytecode exceeds --max-optimized-bytecode-size
//   (61440 bytes); each generated JS kernel is split into two functions below it, and the
//   test runs every JS variant in a child with --allow-natives-syntax and asserts both
//   functions end up TurboFan-compiled (and that they do not under a lowered limit).
// - WebAssembly: TurboFan has no size cut-off below V8's validation limits (7,654,321 body
//   bytes, 50,000 locals per function); the test runs every module with
//   --trace-wasm-compilation-times and asserts `scan` was compiled by TurboFan. The bound
//   that matters is the instruction cache: the unrolled 8-lane form is ~110 KB of code.

export type Sha256dForm = 'wasm-loop' | 'wasm-unrolled' | 'js';

export interface Sha256dVariant {
  /** Kernel name (info, bench, the planner's cache). */
  name: string;
  form: Sha256dForm;
  /** Nonces per pass: 4 (one i32x4 stream) or 8 (two interleaved); 1 for JS. */
  lanes: 1 | 4 | 8;
  /** Σ/σ forms: nested rotations, three plain rotations, or (loops only) Σ0 with ROTR2 factored out (codegen/trace.ts, emitWat.ts). */
  rotations: 'nested' | 'factored' | 'plain';
  /** Message schedule: looped through memory, unrolled in locals, or (JS) all first vs each W_t before its round. */
  schedule: 'memory-loop' | 'locals' | 'locals-interleaved';
  /** Base name of the generated file(s) under generated/. */
  file: string;
}

const wasm = (form: 'wasm-loop' | 'wasm-unrolled', lanes: 4 | 8, rotations: Sha256dVariant['rotations']): Sha256dVariant => {
  const kind = form === 'wasm-loop' ? 'loop' : 'unrolled';
  return {
    name: `sha256d-wasm-${kind}${lanes}-${rotations}`, form, lanes, rotations,
    schedule: form === 'wasm-loop' ? 'memory-loop' : 'locals',
    file: `wasm${kind[0]!.toUpperCase()}${kind.slice(1)}${lanes}${rotations[0]!.toUpperCase()}${rotations.slice(1)}`,
  };
};

/** Fastest measured here first (the order selectKernel falls back to without a planner). */
export const SHA256D_VARIANTS: readonly Sha256dVariant[] = [
  wasm('wasm-loop', 8, 'factored'),
  wasm('wasm-loop', 8, 'nested'),
  wasm('wasm-loop', 8, 'plain'),
  wasm('wasm-loop', 4, 'plain'),
  wasm('wasm-loop', 4, 'factored'),
  wasm('wasm-unrolled', 4, 'nested'),
  wasm('wasm-unrolled', 4, 'plain'),
  wasm('wasm-loop', 4, 'nested'),
  wasm('wasm-unrolled', 8, 'nested'),
  { name: 'sha256d-js-nested', form: 'js', lanes: 1, rotations: 'nested', schedule: 'locals', file: 'jsNested' },
  { name: 'sha256d-js-plain', form: 'js', lanes: 1, rotations: 'plain', schedule: 'locals', file: 'jsPlain' },
  { name: 'sha256d-js-nested-interleaved', form: 'js', lanes: 1, rotations: 'nested', schedule: 'locals-interleaved', file: 'jsNestedInterleaved' },
];
