import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  signUnit, verifyUnitSignature, generateKeyPair, canonicalUnitBytes, encodeBase64, decodeBase64, publicKeyOf, SIGNING_DOMAIN,
} from '../../protocol/signing.ts';
import { parseWorkPayload } from '../../protocol/workUnit.ts';

const unit = {
  v: 1, unit_id: 'j42-7', job_id: 'j42', algo: 'sha256d', header: '00'.repeat(80), nonce_start: 0, nonce_end: 4294967295,
  target: '00000000ffff0000000000000000000000000000000000000000000000000000', expires_at: 1767225600000, clean: false,
};

test('a signed unit verifies with its public key and still parses as a work unit', () => {
  const kp = generateKeyPair();
  const signed = signUnit(unit, kp.secretKey);
  assert.equal(typeof signed.sig, 'string');
  assert.equal(decodeBase64(signed.sig)!.length, 64);
  const pub = encodeBase64(kp.publicKey);
  // Over the wire: serialised with any key order, parsed back.
  const wire = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(signed).reverse())));
  assert.equal(verifyUnitSignature(wire, pub), true);
  const parsed = parseWorkPayload(Buffer.from(JSON.stringify(signed)));
  assert.equal(parsed.errors.length, 0);
  assert.equal(parsed.units[0]!.sig, signed.sig);
});

test('a changed field, a foreign key, a missing or garbled sig all fail verification', () => {
  const kp = generateKeyPair();
  const other = generateKeyPair();
  const pub = encodeBase64(kp.publicKey);
  const signed = signUnit(unit, kp.secretKey);
  assert.equal(verifyUnitSignature({ ...signed, nonce_end: 100 }, pub), false);
  assert.equal(verifyUnitSignature({ ...signed, target: 'ff'.repeat(32) }, pub), false);
  assert.equal(verifyUnitSignature({ ...signed, extra: 1 }, pub), false, 'an added field is not covered by the signature');
  assert.equal(verifyUnitSignature(signUnit(unit, other.secretKey), pub), false);
  assert.equal(verifyUnitSignature(unit, pub), false);
  assert.equal(verifyUnitSignature({ ...signed, sig: 'not base64!' }, pub), false);
  assert.equal(verifyUnitSignature({ ...signed, sig: encodeBase64(new Uint8Array(63)) }, pub), false);
  assert.equal(verifyUnitSignature({ ...signed, sig: 5 }, pub), false);
  assert.equal(verifyUnitSignature(signed, 'short'), false);
  assert.equal(verifyUnitSignature(null, pub), false);
  assert.equal(verifyUnitSignature([signed], pub), false);
});

test('the canonical form is the documented prefix plus sorted compact JSON without sig', () => {
  const bytes = canonicalUnitBytes({ b: 1, a: 'x', sig: 'zzz', c: { y: true, x: null } });
  assert.equal(new TextDecoder().decode(bytes), `${SIGNING_DOMAIN}{"a":"x","b":1,"c":{"x":null,"y":true}}`);
});

test('signatures are plain RFC 8032 Ed25519 over the canonical bytes (checkable by any library)', () => {
  const kp = generateKeyPair();
  const signed = signUnit(unit, encodeBase64(kp.secretKey));
  assert.ok(ed25519.verify(decodeBase64(signed.sig)!, canonicalUnitBytes(signed), kp.publicKey));
  assert.deepEqual(publicKeyOf(kp.secretKey), kp.publicKey);
  assert.throws(() => signUnit(unit, 'AAAA'), RangeError);
});

test('node:crypto (OpenSSL) verifies the same signature', async () => {
  const { createPublicKey, verify } = await import('node:crypto');
  const kp = generateKeyPair();
  const signed = signUnit(unit, kp.secretKey);
  // SPKI wrapping of a raw Ed25519 key (RFC 8410 §4): fixed 12-byte prefix.
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(kp.publicKey)]);
  const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  assert.equal(verify(null, canonicalUnitBytes(signed), key, decodeBase64(signed.sig)!), true);
});

test('signatures made through node:crypto are byte-identical to @noble/curves and verify there', () => {
  const kp = generateKeyPair();
  const signed = signUnit(unit, kp.secretKey);
  const bytes = canonicalUnitBytes(signed);
  assert.deepEqual(decodeBase64(signed.sig), ed25519.sign(bytes, kp.secretKey));
  assert.equal(ed25519.verify(decodeBase64(signed.sig)!, bytes, kp.publicKey), true);
  const forged = { ...signed, sig: encodeBase64(ed25519.sign(bytes, generateKeyPair().secretKey)) };
  assert.equal(verifyUnitSignature(forged, encodeBase64(kp.publicKey)), false);
});
