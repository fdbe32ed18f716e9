// The committed romix.wasm must be exactly what wabt builds from romix.wat
// (`npm run build:wasm:scrypt`), and romix.wat exactly what romixWat.ts generates, so
// the binary can be audited through its source.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { generateRomixWat } from '../../kernels/scrypt/romixWat.ts';

it('romix.wat is the output of romixWat.ts', () => {
  const committed = readFileSync(new URL('../../kernels/scrypt/romix.wat', import.meta.url), 'utf8');
  assert.ok(committed === generateRomixWat(), 'romix.wat is stale: run node --import tsx kernels/scrypt/romixWat.ts');
});

it('romix.wasm is the wat2wasm build of romix.wat', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hashling-wasm-'));
  try {
    const out = join(dir, 'romix.wasm');
    const wat2wasm = fileURLToPath(new URL('../../node_modules/.bin/wat2wasm', import.meta.url));
    execFileSync(wat2wasm, [fileURLToPath(new URL('../../kernels/scrypt/romix.wat', import.meta.url)), '-o', out]);
    const committed = readFileSync(new URL('../../kernels/scrypt/romix.wasm', import.meta.url));
    assert.ok(readFileSync(out).equals(committed), 'romix.wasm is stale: run npm run build:wasm:scrypt');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
