// Kernel modules run V8's optimising wasm compiler (TurboFan) from their first call.
//
// By default V8 first compiles wasm with its baseline compiler (Liftoff) and tiers a hot
// function up to TurboFan in a background thread. Measured here (sha256d loop8 kernel,
// 10 ms slices from the first call, a 2-core machine at load ~5): Liftoff code runs at
// ~3 M/s, TurboFan code at ~6 M/s, and the tier-up arrived after 30-60 ms in one run
// and not within 60 ms in the next; the planner then timed some candidates' baseline
// code against others' optimised code and chose wrongly (docs/performance.md). With
// --no-liftoff the first call compiles the function with TurboFan synchronously
// (10-25 ms per kernel) and every slice after it times the code that will mine.
//
// V8 flags are process-wide: this affects every wasm module compiled afterwards in the
// process, which in the product is only these kernels. Node versions that freeze V8
// flags after start-up reject the change; the kernels then tier up as before.
import { setFlagsFromString } from 'node:v8';

let done = false;

export function preferOptimisedWasm(): void {
  if (done) return;
  done = true;
  try {
    setFlagsFromString('--no-liftoff');
  } catch {
    // flags frozen: keep V8's default tiering
  }
}
