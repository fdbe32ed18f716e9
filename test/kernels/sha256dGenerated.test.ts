// The generated sha256d kernel variants: reproducible from the committed generator, the
// staged graph computes real sha256d in every form, and a kernel built with one round
// constant changed is caught by checkKernel (what the agent's self-test runs), in each form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileWat, generatedFiles, generateVariant } from '../../kernels/sha256d/codegen/build.ts';
import { evaluate } from '../../kernels/sha256d/codegen/graph.ts';
import { traceSha256d } from '../../kernels/sha256d/codegen/trace.ts';
import { SHA256_IV, SHA256_K } from '../../kernels/sha256d/constants.ts';
import { checkSha256dKernel } from '../../kernels/sha256d/check.ts';
import { createJsKernel, type UnrolledJs } from '../../kernels/sha256d/jsKernel.ts';
import { createWasmSimdKernel, simdSupported } from '../../kernels/sha256d/wasmKernel.ts';
import { headerWords } from '../../kernels/sha256d/share.ts';
import { SHA256D_VARIANTS, type Sha256dVariant } from '../../kernels/sha256d/variants.ts';
import { nobleHash, prng, randomBytes, withNonce } from './helpers/sha256dReference.ts';

test('every committed generated file is what the generator produces, and no other file is there', async () => {
  const expected = new Set<string>();
  for (const v of SHA256D_VARIANTS) {
    const files = generatedFiles(v);
    const text = generateVariant(v);
    const source = files.js ?? files.wat!;
    assert.equal(readFileSync(source, 'utf8'), text, `${v.name}: run \`npm run build:wasm\``);
    expected.add(basename(fileURLToPath(source)));
    if (files.wasm) {
      const fresh = await compileWat(text);
      assert.ok(Buffer.from(fresh).equals(readFileSync(files.wasm)), `${v.name}: wasm differs from a fresh wabt build; run \`npm run build:wasm\``);
      expected.add(basename(fileURLToPath(files.wasm)));
    }
  }
  const dir = new URL('../../kernels/sha256d/generated/', import.meta.url);
  assert.deepEqual(readdirSync(dir).sort(), [...expected].sort());
});

test('variant names are unique and say their form', () => {
  assert.equal(new Set(SHA256D_VARIANTS.map((v) => v.name)).size, SHA256D_VARIANTS.length);
  for (const v of SHA256D_VARIANTS) {
    assert.match(v.name, v.form === 'js' ? /^sha256d-js-/ : /^sha256d-wasm-(loop[48]-(nested|factored|plain)|unrolled[48]-(nested|plain))$/);
    if (v.form !== 'js') assert.ok(v.name.includes(`${v.lanes}-${v.rotations}`), v.name);
  }
});

for (const opt of [{ rotations: 'nested', schedule: 'first' }, { rotations: 'plain', schedule: 'first' }, { rotations: 'nested', schedule: 'interleaved' }] as const) {
  test(`the staged graph (${opt.rotations} rotations, schedule ${opt.schedule}) evaluates to the sha256d H7 word of random headers`, () => {
    const trace = traceSha256d(SHA256_K, SHA256_IV, opt);
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
}

/** A kernel built from freshly generated code for constants k (JS through a temp module file). */
async function freshKernel(v: Sha256dVariant, k: readonly number[] = SHA256_K): Promise<ReturnType<typeof createJsKernel>> {
  const text = generateVariant(v, k);
  if (v.form !== 'js') {
    const bytes = await compileWat(text);
    return createWasmSimdKernel(`fresh-${v.name}`, () => bytes);
  }
  const dir = mkdtempSync(join(tmpdir(), 'hashling-sha256d-'));
  try {
    const file = join(dir, `${v.file}.ts`);
    writeFileSync(file, text);
    return createJsKernel(`fresh-${v.name}`, (await import(pathToFileURL(file).href)) as UnrolledJs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('checkKernel passes every variant freshly generated from the FIPS 180-4 constants', async () => {
  for (const v of SHA256D_VARIANTS) {
    if (v.form !== 'js' && !simdSupported()) continue;
    assert.equal(checkSha256dKernel(await freshKernel(v)), null, v.name);
  }
});

const CORRUPTIONS: [string, (k: number[]) => void][] = [
  ['K[5] with one bit flipped', (k) => { k[5] = (k[5]! ^ 1) >>> 0; }],
  ['K[63] plus one', (k) => { k[63] = (k[63]! + 1) >>> 0; }],
];

// One variant of each form: the corruption reaches every form through its own emitter.
const FORMS = ['js', 'wasm-loop', 'wasm-unrolled'].map((f) => SHA256D_VARIANTS.find((v) => v.form === f)!);

for (const [what, corrupt] of CORRUPTIONS) {
  for (const v of FORMS) {
    test(`checkKernel reports ${v.name} generated with ${what}`, { skip: v.form !== 'js' && !simdSupported() }, async () => {
      const k = [...SHA256_K];
      corrupt(k);
      const report = checkSha256dKernel(await freshKernel(v, k));
      assert.ok(report !== null, 'corrupted kernel passed');
      assert.match(report, /expected/);
    });
  }
}
