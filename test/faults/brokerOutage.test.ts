// Fault: the broker is SIGKILLed for 30 s while an agent hashes a coordinator's
// unit, then restarted. The agent keeps hashing through the outage; every share
// it found (counted per unit against its results) is published after the
// reconnect; the coordinator reconnects and issues and verifies new work, also
// when it is back before the agent and first finds the agent's retained
// `online` of before the outage.
//
// The observer holds a persistent session (clean: false) on a broker with
// persistence autosaved every second and unlimited queues, so whatever the
// agent publishes after the restart reaches it even if the agent is back first.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startMosquitto, type Broker } from '../../harness/mosquitto.ts';
import { spawnAgent, type AgentProcess } from '../helpers/agentProcess.ts';
import { spawnCoordinator } from '../helpers/coordinatorProcess.ts';
import { Collector } from '../helpers/collector.ts';
import { coolSysfs } from '../helpers/coolSysfs.ts';

const OUTAGE_MS = 30_000;
let broker: Broker;
let agent: AgentProcess;
let coordinator: AgentProcess;

before(async () => {
  broker = await startMosquitto({ persistence: true, extraConfig: 'max_queued_messages 0\nautosave_interval 1\nautosave_on_changes false\n' });
  coordinator = spawnCoordinator(broker.url, {
    // Units of ~12 s, two outstanding: the agent has ~24 s of work queued when the broker dies.
    HASHLING_COORDINATOR_UNIT_SECONDS: '12',
    HASHLING_COORDINATOR_SHARE_INTERVAL_S: '0.5',
    HASHLING_BROKER_RECONNECT_MIN_MS: '200',
    HASHLING_BROKER_RECONNECT_MAX_MS: '400',
  });
  agent = spawnAgent(['--broker', broker.url, '--device-id', 'outage30', '--threads', '1'], {
    HASHLING_SENSORS_SYSFS_ROOT: coolSysfs().root,
    HASHLING_BROKER_RECONNECT_MIN_MS: '500',
    HASHLING_BROKER_RECONNECT_MAX_MS: '1000',
    HASHLING_BROKER_KEEPALIVE_S: '2',
  });
});

after(async () => {
  agent.proc.kill('SIGKILL');
  coordinator.proc.kill('SIGKILL');
  await broker.stop();
});

test('a 30 s broker outage loses no share and the coordinator resumes', { timeout: 150_000 }, async () => {
  const c = await Collector.connect(broker.url, ['hashling/outage30/#', 'hashling/coordinator/stats'], { clientId: 'outage30-observer', clean: false });
  try {
    const first = await c.wait('hashling/outage30/state', (j) => j.mode === 'hashing' && typeof j.unit_id === 'string', 40_000);
    await c.wait('hashling/outage30/shares', () => true, 20_000);
    await new Promise((r) => setTimeout(r, 2000)); // the observer's session is autosaved
    const killedAt = Date.now();
    await broker.kill();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    // The agent is held back until the coordinator has reconnected, every run:
    // the coordinator then first finds the agent's retained `online` of before
    // the outage, which the broker kept.
    agent.proc.kill('SIGSTOP');
    const restartedAt = Date.now();
    try {
      await broker.restart();
      // The coordinator comes back and sends new units.
      await c.wait('hashling/outage30/work', (_j, m) => m.at > restartedAt, 30_000);
    } finally {
      agent.proc.kill('SIGCONT');
    }
    // Every unit the agent held when the broker died has its result (done, or
    // cancelled by the clean units after the outage) with the count of its shares.
    const unitsBefore = unitsIssued(c, 0, killedAt);
    assert.ok(unitsBefore.has(first.json.unit_id) && unitsBefore.size >= 2, `units held at the outage: ${[...unitsBefore].join(', ')}`);
    for (const u of unitsBefore) await c.wait('hashling/outage30/results', (j) => j.unit_id === u, 30_000);
    const uniqueShares = (u: string) => new Set(c.on('hashling/outage30/shares').filter((m) => m.json.unit_id === u).map((m) => m.json.nonce)).size;
    const duringOutage = c.on('hashling/outage30/shares').filter((m) => m.json.ts > killedAt && m.json.ts < restartedAt);
    // QoS 1 redeliveries to the observer may trail the result a little.
    for (let i = 0; i < 50; i++) {
      const missing = [...unitsBefore].some((u) => uniqueShares(u) < c.on('hashling/outage30/results').find((m) => m.json.unit_id === u)!.json.shares);
      if (!missing) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    let claimed = 0;
    let seen = 0;
    for (const u of unitsBefore) {
      const r = c.on('hashling/outage30/results').find((m) => m.json.unit_id === u)!.json;
      claimed += r.shares;
      seen += uniqueShares(u);
      assert.equal(uniqueShares(u), r.shares, `unit ${u}: result says ${r.shares} shares, ${uniqueShares(u)} delivered`);
    }
    assert.ok(duringOutage.length >= 5, `the agent kept hashing and finding shares while the broker was down (${duringOutage.length})`);
    // Published only once the broker was back.
    assert.ok(duringOutage.every((m) => m.at >= restartedAt));

    // The broker kept the agent's retained `online`: the coordinator, back first,
    // sent units to an agent not yet subscribed (lost). The agent's own `online`,
    // with a new connect time, must bring it new units, and their shares verify.
    const back = await c.wait('hashling/outage30/status', (j, m) => j.state === 'online' && j.ts > restartedAt && m.at > restartedAt, 15_000);
    assert.ok(c.on('hashling/outage30/work').some((m) => m.at > restartedAt && m.at < back.at), 'the coordinator sent units on the stale online before the agent was back');
    await c.wait('hashling/outage30/shares', (j) => unitsIssued(c, back.at, Infinity).has(j.unit_id), 30_000);
    const accepted = (m: { json: any }) => m.json?.devices?.outage30?.accepted ?? 0;
    const before = accepted(await c.wait('hashling/coordinator/stats', (_j, m) => m.at > restartedAt, 15_000));
    await c.wait('hashling/coordinator/stats', (j) => (j?.devices?.outage30?.accepted ?? 0) > before, 30_000);
    process.stdout.write(`# outage ${OUTAGE_MS} ms: ${duringOutage.length} shares found while down; ${seen}/${claimed} shares of the ${unitsBefore.size} affected units delivered\n`);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- units\n${unitTimeline(c)}\n--- agent\n${agent.output().slice(-2000)}\n--- coordinator\n${coordinator.output().slice(-2000)}`);
  } finally {
    await c.close();
  }
});

/** A work payload's units (one unit or a batch). */
function unitsOf(work: any): any[] {
  return Array.isArray(work) ? work : [work];
}

/** Ids of the units the observer saw issued strictly between two instants. */
function unitsIssued(c: Collector, after: number, before: number): Set<string> {
  return new Set(c.on('hashling/outage30/work').filter((m) => m.at > after && m.at < before).flatMap((m) => unitsOf(m.json).map((u) => u.unit_id)));
}

/** Per unit: when it was issued, its shares (count, first/last arrival) and its result, relative to the first message. */
function unitTimeline(c: Collector): string {
  const t0 = c.messages[0]?.at ?? 0;
  const rows = new Map<string, string[]>();
  const row = (u: string) => rows.get(u) ?? (rows.set(u, []), rows.get(u)!);
  for (const m of c.messages) {
    const at = `+${((m.at - t0) / 1000).toFixed(1)}s`;
    const units = m.topic.endsWith('/work') ? unitsOf(m.json) : [m.json];
    for (const j of units) {
      if (typeof j?.unit_id !== 'string') continue;
      if (m.topic.endsWith('/work')) row(j.unit_id).push(`issued ${at}${j.clean ? ' clean' : ''}`);
      else if (m.topic.endsWith('/results')) row(j.unit_id).push(`result ${j.status} shares=${j.shares} ${at}`);
      else if (m.topic.endsWith('/shares')) row(j.unit_id).push(`share ${at} found +${((j.ts - t0) / 1000).toFixed(1)}s`);
    }
  }
  return [...rows].map(([u, ev]) => {
    const shares = ev.filter((e) => e.startsWith('share'));
    const rest = ev.filter((e) => !e.startsWith('share'));
    return `${u}: ${rest.join(', ')}; ${shares.length} shares${shares.length ? ` (${shares[0]} .. ${shares[shares.length - 1]})` : ''}`;
  }).join('\n');
}
