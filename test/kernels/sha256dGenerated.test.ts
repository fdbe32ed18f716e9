// The generated sha256d kernels: reproducible from the committed generator, the
// staged graph computes real sha256d, and a kernel built with one round constant
// changed is caught by checkKernel (what the agent's self-test runs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GENERATED, compileWat, generateJs, generateWat } from '../../kernels/sha256d/codegen/build.ts';
import { evaluate } from '../../kernels/sha256d/codegen/graph.ts';
import { traceSha256d } from '../../kernels/sha256d/codegen/trace.ts';
import { SHA256_IV, SHA256_K } from '../../kernels/sha256d/constants.ts';
import { checkSha256dKernel } from '../../kernels/sha256d/check.ts';
import { createJsKernel, type UnrolledJs } from '../../kernels/sha256d/jsKernel.ts';
import { createWasmSimdKernel, simdSupported } from '../../kernels/sha256d/wasmKernel.ts';
import { headerWords } from '../../kernels/sha256d/share.ts';
import { nobleHash, prng, randomBytes, withNonce } from './helpers/sha256dReference.ts';

test('the committed generated/unrolledJs.ts and simd.wat are what the generator produces', () => {
  assert.equal(readFileSync(GENERATED.js, 'utf8'), generateJs(), 'run `npm run build:wasm`');
  assert.equal(readFileSync(GENERATED.wat, 'utf8'), generateWat(), 'run `npm run build:wasm`');
});

test('the committed simd.wasm is byte-identical to a fresh wabt build of simd.wat', async () => {
  const fresh = await compileWat(readFileSync(GENERATED.wat, 'utf8'));
  assert.ok(Buffer.from(fresh).equals(readFileSync(GENERATED.wasm)), 'run `npm run build:wasm`');
});

test('the staged graph evaluates to the sha256d H7 word of random headers', () => {
  const trace = traceSha256d(SHA256_K, SHA256_IV);
  const next = prng(7);
  for (let i = 0; i < 20; i++) {
    const header = randomBytes(next, 80);
    const nonce = next();
    const full = withNonce(header, nonce);
    const words = headerWords(full);
    const in1: Record<string, number> = { w3: new DataView(full.buffer).getInt32(76, false) };
    for (let w = 0; w < 19; w++) in1[`h${w}`] = words[w]!;
    const v1 = evaluate(trace.first, in1);
    const in2: Record<string, number> = {};
    trace.firstOut.forEach((n, j) => { in2[`d${j}`] = v1[n.id]!; });
    const h7 = evaluate(trace.second, in2)[trace.secondH7.id]!;
    const display = nobleHash(header, nonce); // display order: H7 byte-reversed comes first
    assert.equal(h7 >>> 0, new DataView(display.buffer).getUint32(0, true));
  }
});

const CORRUPTIONS: [string, (k: number[]) => void][] = [
  ['K[5] with one bit flipped', (k) => { k[5] = (k[5]! ^ 1) >>> 0; }],
  ['K[63] plus one', (k) => { k[63] = (k[63]! + 1) >>> 0; }],
];

test('checkKernel passes kernels freshly generated from the FIPS 180-4 constants', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hashling-sha256d-'));
  try {
    const file = join(dir, 'good.ts');
    writeFileSync(file, generateJs());
    const js = createJsKernel('fresh-js', (await import(pathToFileURL(file).href)) as UnrolledJs);
    assert.equal(checkSha256dKernel(js), null);
    if (simdSupported()) {
      const bytes = await compileWat(generateWat());
      assert.equal(checkSha256dKernel(createWasmSimdKernel('fresh-wasm', () => bytes)), null);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const [what, corrupt] of CORRUPTIONS) {
  test(`checkKernel reports a JS kernel generated with ${what}`, async () => {
    const k = [...SHA256_K];
    corrupt(k);
    const dir = mkdtempSync(join(tmpdir(), 'hashling-sha256d-'));
    try {
      const file = join(dir, 'corrupt.ts');
      writeFileSync(file, generateJs(k));
      const kernel = createJsKernel('corrupt-js', (await import(pathToFileURL(file).href)) as UnrolledJs);
      const report = checkSha256dKernel(kernel);
      assert.ok(report !== null, 'corrupted kernel passed');
      assert.match(report, /expected/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`checkKernel reports a WebAssembly SIMD kernel built with ${what}`, { skip: !simdSupported() }, async () => {
    const k = [...SHA256_K];
    corrupt(k);
    const bytes = await compileWat(generateWat(k));
    const report = checkSha256dKernel(createWasmSimdKernel('corrupt-wasm', () => bytes));
    assert.ok(report !== null, 'corrupted kernel passed');
    assert.match(report, /expected/);
  });
}
