// The committed sha1x4.wasm must be exactly what wabt builds from sha1x4.wat
// (`npm run build:wasm:duco`), so the binary can be audited through its source.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { it } from 'node:test';

it('sha1x4.wasm is the wat2wasm build of sha1x4.wat', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hashling-wasm-'));
  try {
    const out = join(dir, 'sha1x4.wasm');
    const wat2wasm = fileURLToPath(new URL('../../node_modules/.bin/wat2wasm', import.meta.url));
    execFileSync(wat2wasm, [fileURLToPath(new URL('../../kernels/ducoS1/sha1x4.wat', import.meta.url)), '-o', out]);
    const committed = readFileSync(new URL('../../kernels/ducoS1/sha1x4.wasm', import.meta.url));
    assert.ok(readFileSync(out).equals(committed), 'sha1x4.wasm is stale: run npm run build:wasm:duco');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
