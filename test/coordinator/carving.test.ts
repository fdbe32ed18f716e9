import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JobCarver, encodeExtranonce2, unitNonceCount } from '../../coordinator/carving.ts';
import { chooseUnitTarget, EASIEST_TARGET } from '../../coordinator/vardiff.ts';
import { hashesPerShare, difficultyToTarget } from '../../coordinator/stratum/difficulty.ts';
import { recordedJob, rec } from './helpers/fixtures.ts';

const req = (deviceId: string) => ({ deviceId, nonceCount: 1000, target: 1n << 240n, now: 0, expiresAt: 1000, clean: false });

test('extranonce2 is a little-endian counter of extranonce2_size bytes', () => {
  assert.equal(encodeExtranonce2(2247n, 4), 'c7080000');
  assert.equal(encodeExtranonce2(0n, 2), '0000');
  assert.equal(encodeExtranonce2(0x0102n, 3), '020100');
});

test('no extranonce2, header or unit id repeats across devices and units of one job', () => {
  const carver = new JobCarver(recordedJob());
  const seen = { en2: new Set<string>(), header: new Set<string>(), id: new Set<string>() };
  for (let i = 0; i < 500; i++) {
    const u = carver.carve(req(i % 2 ? 'a' : 'b'))!;
    assert.ok(!seen.en2.has(u.extranonce2) && !seen.header.has(u.header.toString('hex')) && !seen.id.has(u.unitId));
    seen.en2.add(u.extranonce2); seen.header.add(u.header.toString('hex')); seen.id.add(u.unitId);
  }
});

test('a job runs out of units when its extranonce2 space is used up', () => {
  const carver = new JobCarver(recordedJob({ extranonce2Size: 1 }));
  let n = 0;
  while (carver.carve(req('a'))) n++;
  assert.equal(n, 256);
  assert.equal(carver.remaining, 0n);
});

test('the carver reproduces the header of the recorded accepted share', () => {
  const carver = new JobCarver(recordedJob(), { firstExtranonce2: 2247n, versionBits: 0x2000 });
  const u = carver.carve({ ...req('a'), nonceCount: 2 ** 32 })!;
  assert.equal(u.extranonce2, rec.submit_extranonce2);
  assert.equal(u.nonceEnd, 0xffffffff);
  const h = Buffer.from(u.header);
  h.writeUInt32LE(parseInt(rec.submit_nonce, 16), 76);
  assert.equal(h.toString('hex'), rec.expected.header_hex);
});

test('version bits outside the negotiated mask are never used', () => {
  const u = new JobCarver(recordedJob(), { versionBits: 0xffffffff }).carve(req('a'))!;
  assert.equal(u.versionBits, 0x1fffe000);
  const noRoll = new JobCarver(recordedJob({ versionMask: null }), { versionBits: 0x2000 }).carve(req('a'))!;
  assert.equal(noRoll.versionBits, 0);
  assert.equal(noRoll.header.readUInt32LE(0), 0x20000000);
});

test('units are sized to hashrate × unit seconds within the 32-bit nonce space', () => {
  assert.equal(unitNonceCount(1_000_000, 30), 30_000_000);
  assert.equal(unitNonceCount(1e12, 30), 2 ** 32);
  assert.equal(unitNonceCount(0, 30), 1);
  assert.equal(unitNonceCount(Number.NaN, 30), 1);
});

test('the vardiff target gives one share per interval but is never harder than the pool target', () => {
  const pool = difficultyToTarget(512);
  const t = chooseUnitTarget(1_000_000, 20, pool);
  assert.ok(Math.abs(hashesPerShare(t) / 20e6 - 1) < 1e-6);
  // A fast device at a low pool difficulty: the pool target itself, so no pool share is missed.
  const easyPool = difficultyToTarget(0.001);
  assert.equal(chooseUnitTarget(1e12, 20, easyPool), easyPool);
  // A very slow device is capped at one share per 1024 hashes.
  assert.equal(chooseUnitTarget(1, 1, 1n), EASIEST_TARGET);
});
