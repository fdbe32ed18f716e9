// `npm run build:wasm`: regenerates the sha256d kernels (plain-JS rounds and the
// WebAssembly SIMD module) from kernels/sha256d/codegen/ with npm packages only.
// The output is deterministic; test/kernels/generated.test.ts fails when the
// committed files differ from a fresh build.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GENERATED, compileWat, generateJs, generateWat } from '../kernels/sha256d/codegen/build.ts';

const js = generateJs();
const wat = generateWat();
const wasm = await compileWat(wat);
writeFileSync(GENERATED.js, js);
writeFileSync(GENERATED.wat, wat);
writeFileSync(GENERATED.wasm, wasm);
for (const [what, url] of Object.entries(GENERATED)) console.log(`wrote ${what}: ${fileURLToPath(url)}`);
