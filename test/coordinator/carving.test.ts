import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Extranonce2Space, JobCarver, encodeExtranonce2, rollingPatterns, unitNonceCount } from '../../coordinator/carving.ts';
import { rollVersion } from '../../coordinator/stratum/header.ts';
import { chooseUnitTarget, EASIEST_TARGET } from '../../coordinator/vardiff.ts';
import { hashesPerShare, difficultyToTarget } from '../../coordinator/stratum/difficulty.ts';
import { GENESIS_JOB } from '../fixtures/chain.ts';
import { needsRecording, publicJob, recordedJob, recording } from './helpers/fixtures.ts';

const req = (deviceId: string) => ({ deviceId, nonceCount: 1000, target: 1n << 240n, now: 0, expiresAt: 1000, clean: false });

test('extranonce2 is a little-endian counter of extranonce2_size bytes', () => {
  assert.equal(encodeExtranonce2(2247n, 4), 'c7080000');
  assert.equal(encodeExtranonce2(0n, 2), '0000');
  assert.equal(encodeExtranonce2(0x0102n, 3), '020100');
});

const space = (size = 4, opts = {}) => new Extranonce2Space(size, opts);

test('no (extranonce2, version bits), header or unit id repeats across devices and units of one job', () => {
  const carver = new JobCarver(publicJob(), space());
  const seen = { coord: new Set<string>(), header: new Set<string>(), id: new Set<string>() };
  for (let i = 0; i < 600; i++) {
    const u = carver.carve(req(i % 2 ? 'a' : 'b'))!;
    const coord = `${u.extranonce2}/${u.versionBits}`;
    assert.ok(!seen.coord.has(coord) && !seen.header.has(u.header.toString('hex')) && !seen.id.has(u.unitId));
    seen.coord.add(coord); seen.header.add(u.header.toString('hex')); seen.id.add(u.unitId);
  }
  // 256 rolled versions per extranonce2: 600 units used 3 extranonce2 values.
  assert.equal(new Set([...seen.coord].map((c) => c.split('/')[0])).size, 3);
});

test('the same template re-sent under a new job id (and a reused job id) never yields a header twice in a session', () => {
  // public-pool re-sends the template on every difficulty change; NiceHash may reuse job ids.
  const sp = space();
  const headers = new Set<string>();
  const ids = new Set<string>();
  for (const job of [publicJob({ id: 's1-18', poolJobId: '18' }), publicJob({ id: 's1-19', poolJobId: '19' }), publicJob({ id: 's1-19~2', poolJobId: '19' })]) {
    const c = new JobCarver(job, sp);
    for (let i = 0; i < 300; i++) {
      const u = c.carve(req('a'))!;
      assert.ok(!headers.has(u.header.toString('hex')), `repeated header in ${job.id}`);
      assert.ok(!ids.has(u.unitId), `repeated unit id ${u.unitId}`);
      headers.add(u.header.toString('hex'));
      ids.add(u.unitId);
    }
  }
});

test('a session runs out of units when its extranonce2 space is used up', () => {
  const sp = space(1);
  const carver = new JobCarver(publicJob({ extranonce2Size: 1, versionMask: null }), sp);
  let n = 0;
  while (carver.carve(req('a'))) n++;
  assert.equal(n, 256);
  assert.equal(sp.remaining, 0n);
  // Version rolling multiplies the space: 1 byte of extranonce2 × 2^8 patterns.
  const rolled = new JobCarver(publicJob({ extranonce2Size: 1 }), space(1));
  assert.equal(rolled.unitsPerExtranonce2, 256);
});

test('with miner lanes the agents never use an extranonce2 whose first byte has the top bit set', () => {
  const sp = space(2, { minerLanes: true });
  let n = 0;
  let e: { hex: string } | null;
  while ((e = sp.take())) {
    assert.ok(parseInt(e.hex.slice(0, 2), 16) < 0x80, e.hex);
    n++;
  }
  assert.equal(n, 32768);
});

test('rolled version bits stay inside the mask and off the bits the job version sets', () => {
  const pats = rollingPatterns(0x20000000, 0x1fffe000, 8);
  assert.equal(pats.length, 256);
  assert.equal(pats[0], 0);
  assert.equal(new Set(pats).size, 256);
  for (const p of pats) {
    assert.equal(p & ~0x1fffe000, 0);
    // OR and XOR readings of BIP310 agree (public-pool XORs).
    assert.equal(rollVersion(0x20000000, p, 0x1fffe000), (0x20000000 ^ p) >>> 0);
  }
  // A version with bits inside the mask (BIP9 signalling) keeps them.
  for (const p of rollingPatterns(0x20002000, 0x1fffe000, 4)) assert.equal(p & 0x2000, 0);
  assert.deepEqual(rollingPatterns(0x20000000, null, 8), [0]);
});

test('the carver rebuilds the genesis header from the genesis job at its extranonce2 and nonce', () => {
  // extranonce2 is a little-endian counter: start the space at the genesis bytes' value.
  const first = Buffer.from(GENESIS_JOB.extranonce2, 'hex').readUInt32LE(0);
  const carver = new JobCarver(publicJob({ versionMask: null }), space(4, { first: BigInt(first) }));
  const u = carver.carve({ ...req('a'), nonceCount: 2 ** 32 })!;
  assert.equal(u.extranonce2, GENESIS_JOB.extranonce2);
  assert.equal(u.nonceEnd, 0xffffffff);
  const h = Buffer.from(u.header);
  h.writeUInt32LE(GENESIS_JOB.nonce, 76);
  assert.equal(h.toString('hex'), GENESIS_JOB.header_hex);
});

test('the carver reproduces the header of the recorded accepted share', needsRecording, () => {
  const { rec } = recording();
  const carver = new JobCarver(recordedJob(), space(4, { first: 2247n }), { versionBits: 0x2000 });
  const u = carver.carve({ ...req('a'), nonceCount: 2 ** 32 })!;
  assert.equal(u.extranonce2, rec.submit_extranonce2);
  assert.equal(u.nonceEnd, 0xffffffff);
  const h = Buffer.from(u.header);
  h.writeUInt32LE(parseInt(rec.submit_nonce, 16), 76);
  assert.equal(h.toString('hex'), rec.expected.header_hex);
});

test('version bits outside the negotiated mask are never used', () => {
  const u = new JobCarver(publicJob(), space(), { versionBits: 0xffffffff }).carve(req('a'))!;
  assert.equal(u.versionBits, 0x1fffe000);
  const noRoll = new JobCarver(publicJob({ versionMask: null }), space(), { versionBits: 0x2000 }).carve(req('a'))!;
  assert.equal(noRoll.versionBits, 0);
  assert.equal(noRoll.header.readUInt32LE(0), parseInt(GENESIS_JOB.notifyParams[5], 16), 'the job\'s own version');
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
