// Coordinator bench: (1) shares verified per second on one core, through the
// full Dispatcher.onShare path (lookup, range, duplicate, re-hash with the registry's
// hashAt, target, pool filter) and with the node:crypto reference hash for
// comparison; (2) notify → clean units latency for N devices over a real
// Mosquitto. Prints one JSON object.
//   node --import tsx bench/verify.ts [--shares 20000] [--devices 50]
import mqtt from 'mqtt';
import { loadConfig } from '../config/load.ts';
import { Coordinator } from '../coordinator/coordinator.ts';
import { DemoSource } from '../coordinator/demoSource.ts';
import { Dispatcher } from '../coordinator/dispatcher.ts';
import { referenceSha256dAt, resolveHashAt } from '../coordinator/shareHash.ts';
import { MAX_TARGET } from '../coordinator/stratum/difficulty.ts';
import type { HashAt } from '../coordinator/verify.ts';
import type { CarvedUnit } from '../coordinator/carving.ts';
import { startMosquitto } from '../harness/mosquitto.ts';
import { selectKernel } from '../kernels/registry.ts';
import { statusPayload } from '../protocol/payloads.ts';
import { generateKeyPair } from '../protocol/signing.ts';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

type Claim = { id: string; c: { unit_id: string; job_id: string; nonce: number; hash: string } };
const DEVICES = 16;
/** A pool-shaped synthetic job (the demo source's), pool target easy so the pool filter runs on every share. */
const JOB = { ...new DemoSource({ difficulty: 1, jobIntervalMs: 0 }).newJob(), poolTarget: MAX_TARGET >> 10n };

/** A fleet with DEVICES online devices holding one unit each; same unit ids every time. */
function makeFleet(hashAt: HashAt): { fleet: Dispatcher; units: CarvedUnit[] } {
  // Easiest unit target (1 share per 1024 hashes) so shares are dense.
  const fleet = new Dispatcher({ unitSeconds: 30, shareIntervalS: 1e-9, initialHashrateHps: 1e9, hashAt, aheadUnits: 1 });
  fleet.onJob(JOB, 0);
  const units = [];
  for (let d = 0; d < DEVICES; d++) units.push(fleet.onStatus(`d${d}`, 'online', 0)[0]!.units[0]!);
  return { fleet, units };
}

/** Finds the shares with the agent's own fastest kernel (what devices would send). */
function findClaims(shares: number): Claim[] {
  const kernel = selectKernel('sha256d');
  if (!kernel) throw new Error('no sha256d kernel');
  const claims: Claim[] = [];
  const { units } = makeFleet(referenceSha256dAt);
  for (const [d, u] of units.entries()) {
    const want = Math.ceil(shares / DEVICES);
    const target = Buffer.from(u.target.toString(16).padStart(64, '0'), 'hex');
    const found: number[] = [];
    kernel.prepare({ algo: 'sha256d', header: u.header, target }).scan(0, want * 1400, (n) => { if (found.length < want) found.push(n); });
    for (const n of found) {
      const h = Buffer.from(referenceSha256dAt({ algo: 'sha256d', header: u.header, target }, n)).toString('hex');
      claims.push({ id: `d${d}`, c: { unit_id: u.unitId, job_id: u.job.id, nonce: n, hash: h } });
    }
  }
  return claims;
}

function verifyBench(hashAt: HashAt, claims: Claim[]): { shares_per_s: number; shares: number } {
  let best = 0;
  for (let rep = 0; rep < 3; rep++) {
    const { fleet } = makeFleet(hashAt);
    const t0 = process.hrtime.bigint();
    let ok = 0;
    for (const { id, c } of claims) if (fleet.onShare(id, c, 1).verdict.ok) ok++;
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (ok !== claims.length) throw new Error(`only ${ok}/${claims.length} verified`);
    best = Math.max(best, claims.length / s);
  }
  return { shares_per_s: Math.round(best), shares: claims.length };
}

/**
 * Clean job → clean units on every device, over a real Mosquitto: the demo
 * source emits a job on demand, devices are MQTT clients that announce
 * themselves online; the figure is when the last device has its unit.
 */
async function latencyBench(devicesN: number, signed: boolean): Promise<Record<string, number> | { skipped: string }> {
  let broker;
  try {
    broker = await startMosquitto();
  } catch (err) {
    return { skipped: (err as Error).message.split('\n')[0]! };
  }
  const config = loadConfig({ env: {}, overrides: { broker: { url: broker.url }, coordinator: { initial_hashrate_hps: 1e6, source: 'demo' } } });
  const source = new DemoSource({ difficulty: 1, jobIntervalMs: 0 });
  const coordinator = new Coordinator({
    settings: config.coordinator, broker: config.broker, base: 'hashling', source,
    signingKey: signed ? generateKeyPair().secretKey : null,
  });
  const devices = await mqtt.connectAsync(broker.url);
  const arrivals = new Map<string, Map<string, number>>();
  devices.on('message', (topic, payload) => {
    const units = JSON.parse(payload.toString()) as { job_id: string; clean: boolean }[];
    const first = units[0];
    if (!first?.clean) return;
    const byDevice = arrivals.get(first.job_id) ?? new Map<string, number>();
    byDevice.set(topic.split('/')[1]!, performance.now());
    arrivals.set(first.job_id, byDevice);
  });
  await devices.subscribeAsync('hashling/+/work', { qos: 1 });
  try {
    await coordinator.start();
    const ids = Array.from({ length: devicesN }, (_, i) => `dev${i}`);
    for (const id of ids) await devices.publishAsync(`hashling/${id}/status`, statusPayload('online', Date.now()), { qos: 1, retain: true });
    await new Promise((r) => setTimeout(r, 1500));
    const samples: number[] = [];
    for (let round = 0; round < 5; round++) {
      const sent = performance.now();
      const job = source.newJob();
      const deadline = Date.now() + 10_000;
      while ((arrivals.get(job.id)?.size ?? 0) < devicesN && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
      const got = arrivals.get(job.id);
      if (!got || got.size < devicesN) throw new Error(`round ${round}: ${got?.size ?? 0}/${devicesN} devices got clean units`);
      samples.push(Math.max(...got.values()) - sent);
      await new Promise((r) => setTimeout(r, 200));
    }
    samples.sort((a, b) => a - b);
    return { devices: devicesN, signed: Number(signed), rounds: samples.length, last_device_ms_median: Math.round(samples[2]! * 10) / 10, last_device_ms_max: Math.round(samples[4]! * 10) / 10 };
  } finally {
    await coordinator.stop();
    await devices.endAsync();
    await broker.stop();
  }
}

const shares = arg('shares', 20_000);
const claims = findClaims(shares);
const registry = verifyBench(await resolveHashAt(), claims);
const reference = verifyBench(referenceSha256dAt, claims);
const latency = await latencyBench(arg('devices', 50), false);
const latencySigned = await latencyBench(arg('devices', 50), true);
process.stdout.write(`${JSON.stringify({
  bench: 'coordinator', node: process.version, one_core: true,
  verify_registry_hashAt: registry, verify_node_crypto: reference, notify_to_clean_units: latency, notify_to_clean_units_signed: latencySigned,
}, null, 1)}\n`);
