// Child process of sha256dOptimised.test.ts (run with --trace-wasm-compilation-times):
// loads the generated module argv[2] and calls its scan until V8's dynamic tiering has
// compiled it with TurboFan; V8 prints one line per compiled function.
import { readFileSync } from 'node:fs';

const x = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(process.argv[2]!)), {}).exports as {
  prepare(): void; scan(n0: number, groups: number): number; lanes: WebAssembly.Global;
};
x.prepare();
const t0 = performance.now();
for (let i = 0; performance.now() - t0 < 2000; i++) x.scan(i * 4096, 4096 / (x.lanes.value as number));
