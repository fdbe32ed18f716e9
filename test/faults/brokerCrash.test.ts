// Fault: the broker is SIGKILLed three times, with no persistence, while an
// agent finds shares for a coordinator. A broker that dies after its PUBACK loses
// what it held; the agent keeps every share until the coordinator acknowledges
// its verdict, so every share the agent found is judged: none lost.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../config/load.ts';
import { createCoordinator } from '../../coordinator/fromConfig.ts';
import type { Coordinator, ShareVerdictEvent } from '../../coordinator/coordinator.ts';
import { startMosquitto, type Broker } from '../../harness/mosquitto.ts';
import { Collector } from '../helpers/collector.ts';
import { spawnAgent, type AgentProcess } from '../helpers/agentProcess.ts';
import { coolSysfs } from '../helpers/coolSysfs.ts';

let broker: Broker;
let agent: AgentProcess;
let coordinator: Coordinator;
const judged = new Set<string>();

before(async () => {
  broker = await startMosquitto({ extraConfig: 'max_queued_messages 0\n' });
  const config = loadConfig({
    env: {},
    overrides: {
      broker: { url: broker.url, reconnect_min_ms: 200, reconnect_max_ms: 1000, keepalive_s: 2 },
      coordinator: { source: 'demo', unit_seconds: 5, share_interval_s: 0.25, demo_job_interval_s: 3600 },
    },
  });
  coordinator = createCoordinator(config, { onShareVerdict: (e: ShareVerdictEvent) => { if (e.unit_id !== null) judged.add(`${e.unit_id}/${e.nonce}`); } });
  await coordinator.start();
  agent = spawnAgent(['--broker', broker.url, '--device-id', 'crashy', '--threads', '1'], {
    HASHLING_SENSORS_SYSFS_ROOT: coolSysfs().root,
    HASHLING_BROKER_RECONNECT_MIN_MS: '200',
    HASHLING_BROKER_RECONNECT_MAX_MS: '1000',
    HASHLING_BROKER_KEEPALIVE_S: '2',
    HASHLING_BROKER_SHARE_RESEND_S: '3',
  });
});

after(async () => {
  agent.proc.kill('SIGKILL');
  await coordinator.stop();
  await broker.stop();
});

test('three broker SIGKILLs without persistence: every share the agent found is judged by the coordinator', { timeout: 180_000 }, async (t) => {
  let c = await Collector.connect(broker.url, ['hashling/crashy/telemetry', 'hashling/crashy/shares']);
  await c.wait('hashling/crashy/shares', () => true, 60_000);
  for (let k = 0; k < 3; k++) {
    await new Promise((r) => setTimeout(r, 4000)); // shares flow, some in flight when it dies
    await c.close();
    await broker.kill();
    await new Promise((r) => setTimeout(r, 2000)); // shares found meanwhile wait in the outbox
    await broker.restart();
    c = await Collector.connect(broker.url, ['hashling/crashy/telemetry', 'hashling/crashy/shares']);
  }
  await new Promise((r) => setTimeout(r, 3000));
  // Stop finding shares, then wait until the agent's outbox is empty: every share acknowledged.
  await c.publish('hashling/crashy/cmd/pause', '{"v":1}');
  const drained = await c.wait('hashling/crashy/telemetry', (j, m) => j.outbox === 0 && m.at > Date.now() - 1500 && j.hashrate_hps['10s'] === 0, 90_000);
  const found = drained.json.shares_found as number;
  const judgedHere = [...judged].length;
  assert.ok(found > 20, `shares flowed through the crashes (${found})`);
  assert.equal(judgedHere, found, `every share found (${found}) was judged by the coordinator (${judgedHere})`);
  t.diagnostic(`figures: ${JSON.stringify({ broker_sigkills: 3, shares_found: found, shares_judged: judgedHere, lost: found - judgedHere, share_messages_seen_by_an_observer: c.on('hashling/crashy/shares').length })}`);
  await c.close();
});
