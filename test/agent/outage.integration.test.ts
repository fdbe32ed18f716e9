// The broker vanishes mid-unit: the agent keeps hashing, keeps every share and
// result in its outbox, and delivers all of them after the broker is back.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startMosquitto, type Broker } from '../../harness/mosquitto.ts';
import { spawnAgent, type AgentProcess } from '../helpers/agentProcess.ts';
import { Collector } from '../helpers/collector.ts';
import { coolSysfs } from '../helpers/coolSysfs.ts';

let broker: Broker;
let agent: AgentProcess;
const HEADER = createHash('sha512').update('outage').digest('hex') + '00'.repeat(16);
// About one share per 4096 nonces.
const TARGET = '000fffff' + 'ff'.repeat(28);

before(async () => {
  // Mosquitto drops messages beyond 1000 queued for an offline session by default.
  broker = await startMosquitto({ persistence: true, extraConfig: 'max_queued_messages 0\n' });
  const sysfs = coolSysfs();
  agent = spawnAgent(['--broker', broker.url, '--device-id', 'outage', '--threads', '2'], {
    HASHLING_SENSORS_SYSFS_ROOT: sysfs.root,
    HASHLING_BROKER_RECONNECT_MIN_MS: '500',
    HASHLING_BROKER_RECONNECT_MAX_MS: '1000',
    HASHLING_BROKER_KEEPALIVE_S: '2',
  });
});
after(async () => {
  agent.proc.kill('SIGKILL');
  await broker.stop();
});

test('shares and results found while the broker is down are all delivered after it returns', { timeout: 90_000 }, async () => {
  // A persistent session that reconnects by itself: whatever the agent publishes
  // after the restart is queued for this observer even if the agent is back first.
  const c = await Collector.connect(broker.url, ['hashling/outage/#'], { clientId: 'outage-observer', clean: false });
  await c.wait('hashling/outage/status', (j) => j.state === 'online', 20_000);
  // Measure this device's speed on a small unit to size a unit that spans the outage.
  await c.publish('hashling/outage/work', JSON.stringify({ v: 1, unit_id: 'probe', job_id: 'p', algo: 'sha256d', header: HEADER, target: TARGET, nonce_start: 0, nonce_end: 999_999 }));
  const probe = await c.wait('hashling/outage/results', (j) => j.unit_id === 'probe', 30_000);
  const hps = (probe.json.hashes * 1000) / Math.max(1, probe.json.elapsed_ms);
  const count = Math.min(0xffffffff, Math.round(hps * 6)); // ~6 s of hashing
  await c.publish('hashling/outage/work', JSON.stringify({ v: 1, unit_id: 'long', job_id: 'l', algo: 'sha256d', header: HEADER, target: TARGET, nonce_start: 0, nonce_end: count - 1 }));
  await c.wait('hashling/outage/state', (j) => j.unit_id === 'long');
  const beforeOutage = c.on('hashling/outage/shares').length;
  await broker.terminate();
  await new Promise((r) => setTimeout(r, 8000)); // the unit finishes while the broker is away
  await broker.restart();
  try {
    const result = await c.wait('hashling/outage/results', (j) => j.unit_id === 'long', 30_000);
    assert.equal(result.json.status, 'done');
    assert.equal(result.json.hashes, count);
    // Redelivered QoS 1 messages of the observer's own session may trail the result.
    const unique = () => new Set(c.on('hashling/outage/shares').filter((m) => m.json.unit_id === 'long').map((m) => m.json.nonce));
    for (let i = 0; i < 50 && unique().size < result.json.shares; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const shares = unique();
    assert.ok(c.on('hashling/outage/shares').length - beforeOutage > 100, 'most shares were found during the outage');
    assert.ok(result.json.shares > 100, `expected many shares, got ${result.json.shares}`);
    assert.equal(shares.size, result.json.shares, 'every share found during the outage was delivered');
    await c.wait('hashling/outage/status', (j) => j.state === 'online');
  } finally {
    await c.close();
  }
});
