// Every generated sha256d kernel stays where V8 optimises it (the limits are in
// kernels/sha256d/variants.ts): each plain-JS variant's two functions end up
// TurboFan-compiled (and a lowered --max-optimized-bytecode-size shows the check can
// fail), and each WebAssembly module's scan function is compiled by TurboFan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { generatedFiles } from '../../kernels/sha256d/codegen/build.ts';
import { simdSupported } from '../../kernels/sha256d/wasmKernel.ts';
import { SHA256D_VARIANTS } from '../../kernels/sha256d/variants.ts';

const JS_PROBE = fileURLToPath(new URL('./helpers/optimisationProbe.ts', import.meta.url));
const WASM_PROBE = fileURLToPath(new URL('./helpers/wasmTierProbe.ts', import.meta.url));
// V8's OptimizationStatus bits (src/runtime/runtime.h): kOptimized and kTurboFanned.
const OPTIMIZED = 1 << 4;
const TURBOFANNED = 1 << 6;

function probeJs(file: string, flags: string[] = [], capMs = 20000): { scanChunk: number; second: number } {
  return JSON.parse(execFileSync(process.execPath, ['--allow-natives-syntax', ...flags, '--import', 'tsx', JS_PROBE, file, String(capMs)], { encoding: 'utf8' }));
}

for (const v of SHA256D_VARIANTS.filter((x) => x.form === 'js')) {
  test(`${v.name}: both functions are TurboFan-compiled (under --max-optimized-bytecode-size=61440)`, () => {
    const s = probeJs(v.file);
    for (const [fn, status] of Object.entries(s)) assert.ok((status & OPTIMIZED) && (status & TURBOFANNED), `${fn}: status ${status.toString(2)}`);
  });
}

test('the probe sees a function over the bytecode limit stay unoptimised (limit lowered to 20000 bytes)', () => {
  const s = probeJs(SHA256D_VARIANTS.find((x) => x.form === 'js')!.file, ['--max-optimized-bytecode-size=20000'], 3000);
  assert.equal(s.scanChunk & OPTIMIZED, 0);
});

for (const v of SHA256D_VARIANTS.filter((x) => x.form !== 'js')) {
  test(`${v.name}: scan is compiled by TurboFan`, { skip: !simdSupported() }, () => {
    const out = execFileSync(process.execPath, ['--trace-wasm-compilation-times', '--import', 'tsx', WASM_PROBE, fileURLToPath(generatedFiles(v).wasm!)], { encoding: 'utf8' });
    // Function #1 is scan (#0 is prepare); e.g. "Compiled function 0x…#1 using TurboFan, took 11 ms …; bodysize 13793 codesize 17448".
    const line = out.split('\n').find((l) => /#1 using TurboFan/.test(l));
    assert.ok(line, `no TurboFan compile of scan in:\n${out.slice(0, 500)}`);
    const body = Number(/bodysize (\d+)/.exec(line)![1]);
    assert.ok(body > 0 && body < 7_654_321, `body ${body} bytes`);
  });
}
