import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keygenCommand } from '../../cli/keygen.ts';
import { encodeBase64, publicKeyOf, signUnit, verifyUnitSignature } from '../../protocol/signing.ts';

test('keygen writes a 0600 secret key whose public half signs verifiable units, and refuses to overwrite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hashling-keygen-'));
  const out = join(dir, 'c');
  const write = process.stdout.write.bind(process.stdout);
  const ewrite = process.stderr.write.bind(process.stderr);
  let printed = '';
  try {
    process.stdout.write = ((s: string) => { printed += s; return true; }) as typeof process.stdout.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    assert.equal(await keygenCommand(['--out', out]), 0);
    assert.equal(await keygenCommand(['--out', out]), 73);
  } finally {
    process.stdout.write = write;
    process.stderr.write = ewrite;
  }
  try {
    assert.equal(statSync(`${out}.key`).mode & 0o777, 0o600);
    const sk = readFileSync(`${out}.key`, 'utf8').trim();
    const pub = readFileSync(`${out}.pub`, 'utf8').trim();
    assert.equal(encodeBase64(publicKeyOf(sk)), pub);
    assert.match(printed, new RegExp(`work.coordinator_public_key=${pub.replace(/[+/]/g, '\\$&')}`));
    assert.equal(verifyUnitSignature(signUnit({ v: 1, unit_id: 'u' }, sk), pub), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
