import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRig, type RigOptions } from './helpers/rig.ts';
import { NOTIFY_RAW, WORKER, needsRecording, recording } from './helpers/fixtures.ts';
import { recordedScript } from './helpers/stratumServer.ts';
import { GENESIS_JOB } from '../fixtures/chain.ts';
import { referenceSha256dAt } from '../../coordinator/shareHash.ts';
import { generateKeyPair, encodeBase64, verifyUnitSignature } from '../../protocol/signing.ts';
import { parseWorkPayload } from '../../protocol/workUnit.ts';

/** 2^-22: the pool target equals the easiest unit target, so every verified share is a pool share. */
const LOW_DIFF = 2 ** -22;

const sharePayload = (u: { unit_id: string; job_id: string }, nonce: number, hash: string) =>
  JSON.stringify({ v: 1, unit_id: u.unit_id, job_id: u.job_id, nonce, hash, ts: Date.now() });

function hashOf(unit: { header: string }, nonce: number): string {
  return Buffer.from(referenceSha256dAt({ algo: 'sha256d', header: Buffer.from(unit.header, 'hex'), target: new Uint8Array(32) }, nonce)).toString('hex');
}

/** Nonces of a unit that are shares (brute force over the first `limit` nonces). */
function sharesOf(unit: { header: string; target: string; nonce_start: number }, limit: number): Array<{ nonce: number; hash: string }> {
  const out = [];
  for (let n = unit.nonce_start; n < unit.nonce_start + limit; n++) {
    const h = hashOf(unit, n);
    if (h <= unit.target) out.push({ nonce: n, hash: h });
  }
  return out;
}

/**
 * One share carried end to end: a fast device gets signed whole-nonce-space
 * units, publishes the share over MQTT, the coordinator verifies it and the
 * pool gets `submit`, judges it independently and accepts it.
 */
async function shareReachesPool(o: { rig: RigOptions; nonce: number; hash: string; header: string; submit: string[] }): Promise<void> {
  const kp = generateKeyPair();
  const rig = await startRig({ ...o.rig, signingKey: kp.secretKey });
  try {
    // A fast device: its first unit spans the whole 32-bit nonce space.
    await rig.online('asic1', { benchmark_hps: { sha256d: 2e8 } });
    const work = await rig.devices.wait('hashling/asic1/work');
    const units = work.json as Array<Record<string, any>>;
    assert.equal(units.length, 2);
    assert.equal(units[0]!.clean, true);
    assert.equal(units[0]!.nonce_end, 0xffffffff);
    for (const u of units) assert.ok(verifyUnitSignature(u, encodeBase64(kp.publicKey)), 'every unit is signed');
    assert.equal(parseWorkPayload(Buffer.from(work.raw)).errors.length, 0, 'units satisfy the agent parser');
    const header = Buffer.from(units[0]!.header, 'hex');
    header.writeUInt32LE(o.nonce, 76);
    assert.equal(header.toString('hex'), o.header);
    await rig.devices.publish('hashling/asic1/shares', sharePayload(units[0] as never, o.nonce, o.hash));
    await rig.pools[0]!.waitFor(() => rig.pools[0]!.submits.length === 1, 5000, 'the submit');
    assert.deepEqual(rig.pools[0]!.submits[0]!.params, o.submit);
    assert.equal(rig.pools[0]!.submits[0]!.accepted, true);
    assert.equal(rig.pools[0]!.submits[0]!.hash, o.hash, 'the pool hashed the same header');
    const stats = await rig.devices.wait('hashling/coordinator/stats', (j) => j.devices?.asic1?.pool_accepted === 1);
    assert.equal(stats.json.devices.asic1.accepted, 1);
    assert.equal(stats.json.pool.accepted, 1);
    assert.equal(stats.json.pool.difficulty, 512);
    const { Collector } = await import('../helpers/collector.ts');
    const late = await Collector.connect(rig.broker.url, ['hashling/coordinator/status']);
    const status = await late.wait('hashling/coordinator/status');
    await late.close();
    assert.equal(status.json.state, 'online');
    assert.equal(status.retain, true, 'retained for late subscribers');
  } finally {
    await rig.stop();
  }
}

test('the genesis block, found by a device over MQTT, reaches the pool as a share of the genesis job', { timeout: 30_000 }, async () => {
  const en2 = GENESIS_JOB.extranonce2;
  await shareReachesPool({
    rig: { carver: { firstExtranonce2: BigInt(Buffer.from(en2, 'hex').readUInt32LE(0)), versionBits: 0 } },
    nonce: GENESIS_JOB.nonce, hash: GENESIS_JOB.block_hash, header: GENESIS_JOB.header_hex,
    submit: [WORKER, '1', en2, GENESIS_JOB.notifyParams[7], GENESIS_JOB.nonce.toString(16).padStart(8, '0'), '00000000'],
  });
});

test('the recorded share, found by a device over MQTT, reaches the pool as the exact recorded mining.submit', { timeout: 30_000, ...needsRecording }, async () => {
  const { rec } = recording();
  const submit = JSON.parse(rec.submit_raw).params as string[];
  await shareReachesPool({
    rig: { script: recordedScript(rec), worker: submit[0], carver: { firstExtranonce2: 2247n, versionBits: 0x2000 } },
    nonce: parseInt(rec.submit_nonce, 16), hash: rec.expected.hash, header: rec.expected.header_hex, submit,
  });
});

test('forged shares from a fake device are rejected with the right reason and never reach the pool', { timeout: 30_000 }, async () => {
  // Pool difficulty tiny so that every valid share would be forwarded.
  const rig = await startRig({ script: { greeting: [JSON.stringify({ id: null, method: 'mining.set_difficulty', params: [LOW_DIFF] }), NOTIFY_RAW] }, coordinator: { initial_hashrate_hps: 2000, share_interval_s: 1 } });
  try {
    await rig.online('honest');
    await rig.online('forger');
    const hw = (await rig.devices.wait('hashling/honest/work')).json as Array<any>;
    const fw = (await rig.devices.wait('hashling/forger/work')).json as Array<any>;
    const [good, good2] = sharesOf(hw[0], 20_000);
    const [fgood] = sharesOf(fw[0], 20_000);
    assert.ok(good && good2 && fgood, 'the easy unit target yields shares');
    const pub = (id: string, p: string) => rig.devices.publish(`hashling/${id}/shares`, p);
    await pub('honest', sharePayload(hw[0], good.nonce, good.hash));
    await pub('forger', sharePayload(hw[0], good2.nonce, good2.hash)); // foreign unit
    await pub('forger', sharePayload(fw[0], fgood.nonce + 1, fgood.hash)); // wrong nonce
    await pub('forger', sharePayload(fw[0], fw[0].nonce_end + 1, fgood.hash)); // outside its range
    await pub('forger', sharePayload({ unit_id: 'made-up', job_id: fw[0].job_id }, 1, fgood.hash));
    await pub('forger', sharePayload(fw[0], fgood.nonce, fgood.hash)); // genuine
    await pub('forger', sharePayload(fw[0], fgood.nonce, fgood.hash)); // replay: judged once, answered again, counted once
    await pub('forger', 'not json');
    const s = await rig.devices.wait('hashling/coordinator/stats', (j) => j.devices?.forger?.rejected?.malformed === 1 && j.devices?.forger?.accepted === 1, 10_000);
    assert.deepEqual(s.json.devices.forger.rejected, {
      bad_hash: 1, above_target: 0, unknown_unit: 1, wrong_device: 1, duplicate: 0, stale: 0, out_of_range: 1, malformed: 1,
    });
    // Every share claim got its verdict on the device's acks topic; the replay got the genuine one's again.
    const ackList = () => rig.devices.on('hashling/forger/acks').flatMap((m) => m.json.shares as { nonce: number; ok: boolean; reason?: string }[]);
    for (let i = 0; i < 50 && ackList().length < 6; i++) await new Promise((r) => setTimeout(r, 100));
    const acks = ackList();
    assert.deepEqual(acks.map((a) => a.reason ?? 'ok'), ['wrong_device', 'bad_hash', 'out_of_range', 'unknown_unit', 'ok', 'ok']);
    assert.equal(s.json.devices.honest.accepted, 1);
    await rig.pools[0]!.waitFor(() => rig.pools[0]!.submits.length === 2, 5000, 'two genuine submits');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(rig.pools[0]!.submits.length, 2);
    assert.ok(rig.pools[0]!.submits.every((x) => x.accepted), JSON.stringify(rig.pools[0]!.submits));
  } finally {
    await rig.stop();
  }
});

test('a clean_jobs notify reaches every online device as clean units within 1 s, and old shares are stale', { timeout: 30_000 }, async () => {
  const rig = await startRig({ script: { greeting: [JSON.stringify({ id: null, method: 'mining.set_difficulty', params: [LOW_DIFF] }), NOTIFY_RAW] }, coordinator: { initial_hashrate_hps: 2000, share_interval_s: 1 } });
  try {
    await rig.online('a');
    await rig.online('b');
    const aw = (await rig.devices.wait('hashling/a/work')).json as Array<any>;
    await rig.devices.wait('hashling/b/work');
    const [old] = sharesOf(aw[0], 20_000);
    const params = GENESIS_JOB.notifyParams;
    const sent = Date.now();
    rig.pools[0]!.notify(['2', ...params.slice(1, 8), true]);
    const isNew = (j: any) => Array.isArray(j) && j[0].clean === true && j[0].job_id.endsWith('-2');
    const [na, nb] = await Promise.all([rig.devices.wait('hashling/a/work', isNew, 2000), rig.devices.wait('hashling/b/work', isNew, 2000)]);
    assert.ok(na.at - sent < 1000 && nb.at - sent < 1000, `dispatch took ${na.at - sent} / ${nb.at - sent} ms`);
    await rig.devices.publish('hashling/a/shares', sharePayload(aw[0], old!.nonce, old!.hash));
    const s = await rig.devices.wait('hashling/coordinator/stats', (j) => j.devices?.a?.stale === 1, 5000);
    assert.equal(s.json.job.pool_job_id, '2');
    assert.equal(rig.pools[0]!.submits.length, 0);
  } finally {
    await rig.stop();
  }
});

test('pool failover re-issues clean units from the backup pool and returns to the first', { timeout: 30_000 }, async () => {
  const rig = await startRig({ pools: 2, coordinator: { initial_hashrate_hps: 2000 } });
  try {
    await rig.online('a');
    const first = (await rig.devices.wait('hashling/a/work')).json as Array<any>;
    const port = rig.pools[0]!.port;
    await rig.pools[0]!.close();
    // The lost session's work is stopped at once with a halt unit (one nonce, target 0)...
    const halt = await rig.devices.wait('hashling/a/work', (j) => j[0].job_id.endsWith('-halt'), 5000);
    assert.deepEqual([halt.json[0].clean, halt.json[0].nonce_end, /^0+$/.test(halt.json[0].target)], [true, 0, true]);
    // ...then the backup pool's first job brings clean units.
    const backup = await rig.devices.wait('hashling/a/work', (j) => j[0].clean && !j[0].job_id.endsWith('-halt') && j[0].job_id !== first[0].job_id, 5000);
    assert.ok(rig.log.some((l) => l.includes('pool 1') && l.includes('connected')), rig.log.join('\n'));
    await rig.pools[0]!.listen(port);
    await rig.devices.wait('hashling/a/work', (j) => j[0].clean && !j[0].job_id.endsWith('-halt') && j[0].job_id !== backup.json[0].job_id && j[0].job_id !== first[0].job_id, 5000);
    const s = await rig.devices.wait('hashling/coordinator/stats', (j) => j.pool?.pool_index === 0 && j.ts > Date.now() - 300, 5000);
    assert.equal(s.json.pool.state, 'connected');
  } finally {
    await rig.stop();
  }
});

test('stop publishes a retained offline status', { timeout: 20_000 }, async () => {
  const rig = await startRig();
  await rig.coordinator.stop();
  const s = await rig.devices.wait('hashling/coordinator/status', (j) => j.state === 'offline', 5000);
  assert.equal(s.retain, false, 'live delivery of a retained publish has retain=0 (MQTT 5 §3.3.1.3)');
  await rig.stop();
});
