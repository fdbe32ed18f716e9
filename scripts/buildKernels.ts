// `npm run build:wasm`: regenerates every sha256d kernel variant (kernels/sha256d/variants.ts:
// plain-JS rounds and WebAssembly SIMD modules) from kernels/sha256d/codegen/ with npm
// packages only, and removes generated files no variant names any more. The output is
// deterministic; test/kernels/sha256dGenerated.test.ts fails when the committed files
// differ from a fresh build.
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileWat, generatedFiles, generateVariant } from '../kernels/sha256d/codegen/build.ts';
import { SHA256D_VARIANTS } from '../kernels/sha256d/variants.ts';

const DIR = new URL('../kernels/sha256d/generated/', import.meta.url);
const written = new Set<string>();
for (const v of SHA256D_VARIANTS) {
  const files = generatedFiles(v);
  const text = generateVariant(v);
  if (files.js) {
    writeFileSync(files.js, text);
    written.add(fileURLToPath(files.js));
  } else {
    writeFileSync(files.wat!, text);
    writeFileSync(files.wasm!, await compileWat(text, `${v.file}.wat`));
    written.add(fileURLToPath(files.wat!)).add(fileURLToPath(files.wasm!));
  }
  console.log(`wrote ${v.name}: ${Object.values(files).map((u) => fileURLToPath(u)).join(', ')}`);
}
for (const f of readdirSync(DIR)) {
  const path = fileURLToPath(new URL(f, DIR));
  if (!written.has(path)) {
    rmSync(path);
    console.log(`removed ${path}`);
  }
}
