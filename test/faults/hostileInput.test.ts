// Hostile input at the coordinator: one device account sends 100 messages of
// 4 MB (inside the shipped broker's max_packet_size) on its shares topic. The
// coordinator refuses each before parsing (size cap), so the honest device keeps
// scoring and the coordinator's memory stays bounded.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { startMosquitto, type Broker } from '../../harness/mosquitto.ts';
import { Collector } from '../helpers/collector.ts';
import { spawnAgent, type AgentProcess } from '../helpers/agentProcess.ts';
import { spawnCoordinator } from '../helpers/coordinatorProcess.ts';
import { coolSysfs } from '../helpers/coolSysfs.ts';
import { rssMb } from '../helpers/procStat.ts';

let broker: Broker;
let coordinator: AgentProcess;
let agent: AgentProcess;

before(async () => {
  // The shipped broker's packet limit (deploy/mosquitto/mosquitto.conf).
  broker = await startMosquitto({ extraConfig: 'max_packet_size 4194304\nmax_queued_messages 0\n' });
  coordinator = spawnCoordinator(broker.url, { HASHLING_COORDINATOR_SHARE_INTERVAL_S: '0.1', HASHLING_COORDINATOR_UNIT_SECONDS: '10' });
  agent = spawnAgent(['--broker', broker.url, '--device-id', 'honest', '--threads', '1'], { HASHLING_SENSORS_SYSFS_ROOT: coolSysfs().root });
});

after(async () => {
  agent.proc.kill('SIGKILL');
  coordinator.proc.kill('SIGKILL');
  await broker.stop();
});

/** Accepted shares of `id` per second over the next ms, from the coordinator's stats. */
async function acceptedRate(c: Collector, id: string, ms: number): Promise<number> {
  const stat = () => c.on('hashling/coordinator/stats').at(-1)!.json.devices[id].accepted as number;
  const a = stat();
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, ms));
  await c.wait('hashling/coordinator/stats', (_j, m) => m.at > Date.now() - 1200);
  return (stat() - a) / ((Date.now() - t0) / 1000);
}

test('100 messages of 4 MB from one device: the coordinator keeps judging the honest device\'s shares (≥ 80 % of its rate) with RSS < 200 MB', { timeout: 180_000 }, async (t) => {
  const c = await Collector.connect(broker.url, ['hashling/coordinator/stats', 'hashling/honest/telemetry']);
  try {
    await c.wait('hashling/coordinator/stats', (j) => (j.devices?.honest?.accepted ?? 0) > 20, 90_000);
    const found = () => c.on('hashling/honest/telemetry').at(-1)?.json.shares_found ?? 0;
    const f0 = found();
    const before = await acceptedRate(c, 'honest', 10_000);
    const f1 = found();
    const flooder = await mqtt.connectAsync(broker.url, { clientId: 'flooder' });
    const big = Buffer.alloc(4_000_000, 0x7b); // "{{{{…": 4 MB that is not JSON
    let peakRss = rssMb(coordinator.proc.pid!);
    const sampler = setInterval(() => { peakRss = Math.max(peakRss, rssMb(coordinator.proc.pid!)); }, 100);
    const flood = (async () => { for (let i = 0; i < 100; i++) await flooder.publishAsync('hashling/flooder/shares', big, { qos: 1 }); })();
    const during = await acceptedRate(c, 'honest', 10_000);
    const f2 = found();
    await flood;
    clearInterval(sampler);
    await flooder.endAsync();
    const s = c.on('hashling/coordinator/stats').at(-1)!.json;
    // On two shared cores the honest agent itself finds fewer shares while the broker
    // moves 400 MB: the coordinator's part is how many of the shares found it judged.
    const judgedShareBefore = (before * 10) / Math.max(1, f1 - f0);
    const judgedShareDuring = (during * 10) / Math.max(1, f2 - f1);
    t.diagnostic(`figures: ${JSON.stringify({
      honest_accepted_per_s_before: Number(before.toFixed(2)), during_flood: Number(during.toFixed(2)), ratio: Number((during / before).toFixed(2)),
      honest_found_before: f1 - f0, honest_found_during: f2 - f1, accepted_of_found_before: Number(judgedShareBefore.toFixed(2)), accepted_of_found_during: Number(judgedShareDuring.toFixed(2)),
      coordinator_peak_rss_mb: Math.round(peakRss), flooder_malformed: s.devices.flooder?.rejected?.malformed ?? 0,
    })}`);
    assert.ok(judgedShareDuring >= 0.8 * judgedShareBefore, `the coordinator judged ${(judgedShareDuring * 100).toFixed(0)} % of the honest shares during the flood, ${(judgedShareBefore * 100).toFixed(0)} % before`);
    assert.ok(peakRss < 200, `coordinator RSS peaked at ${peakRss.toFixed(0)} MB`);
    assert.equal(coordinator.proc.exitCode, null, 'the coordinator is still running');
  } finally {
    await c.close();
  }
});

test('a device account flipping its status 20,000 times over the broker gets a few units, not one per flip', { timeout: 120_000 }, async (t) => {
  const c = await Collector.connect(broker.url, ['hashling/coordinator/stats', 'hashling/flapper/work']);
  try {
    const flapper = await mqtt.connectAsync(broker.url, { clientId: 'flapper' });
    const online = JSON.stringify({ v: 1, state: 'online', ts: Date.now() });
    const offline = JSON.stringify({ v: 1, state: 'offline', ts: Date.now() });
    for (let i = 0; i < 20_000; i++) flapper.publish('hashling/flapper/status', i % 2 === 0 ? online : offline, { qos: 0 });
    await flapper.publishAsync('hashling/flapper/status', offline, { qos: 1 });
    await flapper.endAsync();
    const s = await c.wait('hashling/coordinator/stats', (j, m) => m.at > Date.now() - 1000 && j.devices?.flapper !== undefined, 30_000);
    const issued = s.json.devices.flapper.units_issued as number;
    t.diagnostic(`figures: ${JSON.stringify({ status_flips: 20_000, units_issued: issued, work_messages: c.on('hashling/flapper/work').length })}`);
    assert.ok(issued <= 12, `${issued} units carved for a flapping device`);
  } finally {
    await c.close();
  }
});
