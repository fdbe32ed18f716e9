import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dispatcher } from '../../coordinator/dispatcher.ts';
import { referenceSha256dAt } from '../../coordinator/shareHash.ts';
import { difficultyToTarget, MAX_TARGET } from '../../coordinator/stratum/difficulty.ts';
import { publicJob, scanUnit, shareClaim } from './helpers/fixtures.ts';

// 1 kH/s devices and 1 s share interval: units of 30k nonces, one share per ~1024 hashes.
const fleet = (over = {}) => new Dispatcher({ unitSeconds: 30, shareIntervalS: 1, initialHashrateHps: 1000, hashAt: referenceSha256dAt, ...over });

test('an online device gets two units, the first clean, sized to its hashrate', () => {
  const f = fleet();
  f.onJob(publicJob(), 0);
  const [d] = f.onStatus('a', 'online', 0);
  assert.equal(d!.units.length, 2);
  assert.deepEqual(d!.units.map((u) => u.clean), [true, false]);
  assert.equal(d!.units[0]!.nonceEnd, 29_999);
  assert.notEqual(d!.units[0]!.header.toString('hex'), d!.units[1]!.header.toString('hex'));
});

test('an online status with a new connect time restarts the device clean; the same one again changes nothing', () => {
  const f = fleet();
  f.onJob(publicJob(), 0);
  // A broker restarted with persistence hands back the agent's stale retained online (ts 100) first.
  const [stale] = f.onStatus('a', 'online', 0, 100);
  assert.equal(stale!.units.length, 2);
  // The same status again (a resubscribe re-delivers it) is not a new connection.
  assert.deepEqual(f.onStatus('a', 'online', 10, 100), []);
  // The agent itself connects (ts 5000): the units sent before it subscribed are lost, so it starts over.
  const [fresh] = f.onStatus('a', 'online', 20, 5000);
  assert.equal(fresh!.units.length, 2);
  assert.deepEqual(fresh!.units.map((u) => u.clean), [true, false]);
  assert.ok(fresh!.units.every((u) => !stale!.units.some((o) => o.unitId === u.unitId)), 'new units, not the lost ones again');
  // A status without a connect time (an older agent) keeps the former rule: only offline → online restarts.
  assert.deepEqual(f.onStatus('a', 'online', 30), []);
});

test('a benchmark from info sizes the first units', () => {
  const f = fleet();
  f.onJob(publicJob(), 0);
  f.onInfo('a', { sha256d: 50_000 }, 0);
  const [d] = f.onStatus('a', 'online', 0);
  assert.equal(d!.units[0]!.nonceEnd, 50_000 * 30 - 1);
});

test('a finished unit is replaced by one new unit, keeping the device one unit ahead', () => {
  const f = fleet();
  f.onJob(publicJob(), 0);
  const [d] = f.onStatus('a', 'online', 0);
  const out = f.onResult('a', { unit_id: d!.units[0]!.unitId, status: 'done', hashes: 30_000 }, 30_000);
  assert.equal(out.length, 1);
  assert.equal(out[0]!.units.length, 1);
  assert.equal(out[0]!.units[0]!.clean, false);
  // A result for a unit that is not outstanding does not grow the queue.
  assert.deepEqual(f.onResult('a', { unit_id: d!.units[0]!.unitId, status: 'done', hashes: 30_000 }, 30_001), []);
});

test('a clean job re-issues clean units to every online device and makes old shares stale', () => {
  const f = fleet();
  f.onJob(publicJob(), 0);
  const [a] = f.onStatus('a', 'online', 0);
  f.onStatus('b', 'online', 0);
  f.onStatus('c', 'offline', 0);
  const old = a!.units[0]!;
  const [s] = scanUnit(old, 5000);
  const out = f.onJob(publicJob({ clean: true }), 1000);
  assert.deepEqual(out.map((d) => d.deviceId).sort(), ['a', 'b']);
  for (const d of out) assert.deepEqual(d.units.map((u) => u.clean), [true, false]);
  const r = f.onShare('a', shareClaim(old, s!), 1500);
  assert.equal(r.verdict.ok, false);
  assert.equal(!r.verdict.ok && r.verdict.reason, 'stale');
  assert.equal(r.forward, null);
});

test('a non-clean job keeps old units valid and new units come from it', () => {
  const f = fleet();
  const j1 = publicJob();
  f.onJob(j1, 0);
  const [a] = f.onStatus('a', 'online', 0);
  assert.deepEqual(f.onJob(publicJob({ clean: false }), 10), []);
  const [s] = scanUnit(a!.units[0]!, 5000);
  assert.equal(f.onShare('a', shareClaim(a!.units[0]!, s!), 20).verdict.ok, true);
  const [next] = f.onResult('a', { unit_id: a!.units[0]!.unitId, status: 'done', hashes: 30_000 }, 30);
  assert.notEqual(next!.units[0]!.job.id, j1.id);
});

test('a device that goes away gets nothing more, and nobody gets its units', () => {
  const f = fleet();
  f.onJob(publicJob(), 0);
  const [a] = f.onStatus('a', 'online', 0);
  f.onStatus('a', 'lost', 10);
  assert.deepEqual(f.tick(100_000), []);
  const [b] = f.onStatus('b', 'online', 20);
  const aHeaders = new Set(a!.units.map((u) => u.header.toString('hex')));
  for (const u of b!.units) assert.ok(!aHeaders.has(u.header.toString('hex')));
  assert.equal(f.onlineCount, 1);
});

test('only shares meeting the pool target go upstream', () => {
  const f = fleet();
  // Pool target exactly at the device target's 1/4: about a quarter of shares qualify.
  const unitTarget = MAX_TARGET >> 10n;
  f.onJob(publicJob({ poolTarget: unitTarget >> 2n }), 0);
  const [a] = f.onStatus('a', 'online', 0);
  const u = a!.units[0]!;
  assert.equal(u.target, unitTarget);
  let forwarded = 0;
  const shares = scanUnit(u);
  for (const s of shares) {
    const r = f.onShare('a', shareClaim(u, s), 1);
    assert.equal(r.verdict.ok, true);
    if (r.forward) {
      forwarded++;
      f.onPoolVerdict('a', true);
      assert.ok(BigInt(`0x${s.hash}`) <= unitTarget >> 2n);
      assert.equal(r.forward.extranonce2, u.extranonce2);
    }
  }
  assert.ok(forwarded > 0 && forwarded < shares.length, `${forwarded}/${shares.length}`);
  const [st] = f.deviceStats(2);
  assert.equal(st!.accepted, shares.length);
  assert.equal(st!.submitted, forwarded);
});

test('hashrate comes from verified shares and replaces the default for sizing', () => {
  const f = fleet({ initialHashrateHps: 100 });
  f.onJob(publicJob({ poolTarget: difficultyToTarget(1) }), 0);
  const [a] = f.onStatus('a', 'online', 0);
  const u = a!.units[0]!; // 3000 nonces at the easiest target: ~3 shares
  // Pretend the device did 60 k hashes in 10 s: scan a fresh big unit.
  const shares = scanUnit({ ...u, nonceEnd: 60_000 - 1 });
  const rec = (f as unknown as { units: Map<string, { unit: typeof u }> }).units.get(u.unitId)!;
  rec.unit = { ...u, nonceEnd: 60_000 - 1 };
  for (const s of shares) f.onShare('a', shareClaim(u, s), 10_000);
  const est = f.plannedHashrate('a', 10_000);
  assert.ok(est > 3000 && est < 12_000, `estimate ${est} for a true 6000 H/s`);
});

test('a device whose claimed hashes its shares cannot support is flagged; an honest one is not', () => {
  const f = fleet();
  f.onJob(publicJob({ poolTarget: difficultyToTarget(1) }), 0);
  for (const id of ['honest', 'liar']) {
    let [d] = f.onStatus(id, 'online', 0);
    // Real time: a 30 k-nonce unit takes 30 s at 1 kH/s, so sizing stays near 1 kH/s.
    for (let i = 0; i < 6; i++) {
      const u = d!.units[0]!;
      const now = 30_000 * (i + 1);
      // The liar hashes a fifth of each unit but reports the whole range as done.
      const size = u.nonceEnd + 1;
      const scanned = id === 'liar' ? Math.floor(size / 5) : size;
      for (const s of scanUnit(u, scanned)) f.onShare(id, shareClaim(u, s), now);
      const next = f.onResult(id, { unit_id: u.unitId, status: 'done', hashes: size }, now);
      d = { deviceId: id, units: [...d!.units.slice(1), ...(next[0]?.units ?? [])] };
    }
  }
  const stats = Object.fromEntries(f.deviceStats(200_000).map((s) => [s.id, s.claims_flagged]));
  assert.deepEqual(stats, { honest: false, liar: true });
});

test('a claim of more hashes than the unit holds is flagged at once', () => {
  const f = fleet();
  f.onJob(publicJob(), 0);
  const [d] = f.onStatus('a', 'online', 0);
  f.onResult('a', { unit_id: d!.units[0]!.unitId, status: 'done', hashes: 1e9 }, 1);
  assert.equal(f.deviceStats(2)[0]!.claims_flagged, true);
});

test('a job that reuses a pool job id voids the old one: holders get clean units, old shares read stale, never bad_hash', () => {
  const f = fleet();
  const old = publicJob({ id: 's1-7', poolJobId: '7', clean: true });
  f.onJob(old, 0);
  const [a] = f.onStatus('a', 'online', 0);
  const u = a!.units[0]!;
  const [s] = scanUnit(u, 20_000);
  const next = publicJob({ id: 's1-7~2', poolJobId: '7', clean: false, replaces: 's1-7', extranonce1: 'aabbccdd' });
  const [d] = f.onJob(next, 1);
  assert.equal(d!.units[0]!.clean, true, 'the holder cancels the dead units at once');
  assert.equal(d!.units[0]!.job.id, 's1-7~2');
  const r = f.onShare('a', shareClaim(u, s!), 2);
  assert.deepEqual(r.verdict.ok ? null : r.verdict.reason, 'stale');
});

test('losing the pool halts every device that holds units, and nothing is carved until a new job', () => {
  const f = fleet();
  f.onJob(publicJob(), 0);
  f.onStatus('a', 'online', 0);
  f.onStatus('b', 'online', 0);
  f.onStatus('c', 'lost', 0);
  const halts = f.voidAll();
  assert.deepEqual(halts.map((h) => [h.deviceId, h.halt, h.units.length]), [['a', true, 0], ['b', true, 0]]);
  assert.deepEqual(f.tick(1000), []);
  assert.deepEqual(f.voidAll(), [], 'a second loss finds nothing to halt');
  const [d] = f.onJob(publicJob(), 2000);
  assert.equal(d!.units[0]!.clean, true);
});

test('the same template re-sent under a new job id continues the session\'s extranonce2 counter', () => {
  const f = fleet();
  const seen = new Set<string>();
  for (const [i, clean] of [[1, true], [2, true], [3, false]] as const) {
    const out = f.onJob(publicJob({ id: `s1-${i}`, poolJobId: String(i), clean }), i);
    if (i === 1) out.push(...f.onStatus('a', 'online', 0));
    for (const d of out) for (const u of d.units) {
      assert.ok(!seen.has(u.header.toString('hex')), `job ${i} repeated a header`);
      seen.add(u.header.toString('hex'));
    }
  }
  assert.ok(seen.size >= 4);
});

test('a device flipping its status 100,000 times gets a few units, not one per flip; a steady one keeps being served', () => {
  const f = fleet();
  f.onJob(publicJob(), 0);
  let t = 0;
  let units = 0;
  for (let i = 0; i < 100_000; i++) {
    t += 0.06; // 100k flips in 6 s
    units += f.onStatus('flapper', i % 2 === 0 ? 'online' : 'offline', t).reduce((n, d) => n + d.units.length, 0);
  }
  assert.ok(units <= 10, `the flapping device got ${units} units`);
  const steady = f.onStatus('steady', 'online', t);
  assert.equal(steady[0]!.units.length, 2, 'another device is not held back by the flapper');
  // Over time the flapper is served again at the pace of a device that stays.
  const later = f.onStatus('flapper', 'online', t + 60_000);
  assert.equal(later[0]?.units.length, 2);
});
