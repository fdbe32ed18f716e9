// Child process of sha256dOptimised.test.ts (run with --allow-natives-syntax): runs the
// generated JS kernel named in argv[2] until V8 has had every chance to optimise it,
// then prints V8's optimisation status of its two functions as JSON.
import * as jsNested from '../../../kernels/sha256d/generated/jsNested.ts';
import * as jsPlain from '../../../kernels/sha256d/generated/jsPlain.ts';
import * as jsNestedInterleaved from '../../../kernels/sha256d/generated/jsNestedInterleaved.ts';

const modules: Record<string, typeof jsNested> = { jsNested, jsPlain, jsNestedInterleaved };
const m = modules[process.argv[2]!]!;
// %GetOptimizationStatus through the Function constructor: natives syntax is not TypeScript.
const status = new Function('f', 'return %GetOptimizationStatus(f);') as (f: unknown) => number;
const u = new Int32Array(m.UNIT_WORDS);
m.prepareUnit(new Int32Array(19), u);
// Until both are TurboFan-compiled (bit 6 of the status), for at most argv[3] ms (default
// 20 s): concurrent recompilation runs in a background thread, which a loaded machine delays.
const optimised = (f: unknown): boolean => (status(f) & (1 << 6)) !== 0;
const capMs = Number(process.argv[3] ?? 20000);
const t0 = performance.now();
for (let i = 0; performance.now() - t0 < capMs && !(i > 64 && optimised(m.scanChunk) && optimised(m.second)); i++) {
  m.scanChunk(u, i * 64, 64, -0x80000000, () => {}); // short calls: tier-up by calls, not on-stack replacement
}
process.stdout.write(JSON.stringify({ scanChunk: status(m.scanChunk), second: status(m.second) }));
