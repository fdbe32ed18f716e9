// Fault: the coordinator is SIGKILLed while an agent works for it. The agent
// finishes its queued units, then idles without spinning (CPU measured from
// /proc), and hashes again as soon as a new coordinator hands out units.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startMosquitto, type Broker } from '../../harness/mosquitto.ts';
import { spawnAgent, type AgentProcess } from '../helpers/agentProcess.ts';
import { spawnCoordinator } from '../helpers/coordinatorProcess.ts';
import { Collector } from '../helpers/collector.ts';
import { coolSysfs } from '../helpers/coolSysfs.ts';
import { cpuShare } from '../helpers/procStat.ts';

const COORD_ENV = { HASHLING_COORDINATOR_UNIT_SECONDS: '3', HASHLING_COORDINATOR_SHARE_INTERVAL_S: '1' };
let broker: Broker;
let agent: AgentProcess;
const coordinators: AgentProcess[] = [];

before(async () => {
  broker = await startMosquitto();
  coordinators.push(spawnCoordinator(broker.url, COORD_ENV));
  agent = spawnAgent(['--broker', broker.url, '--device-id', 'orphan', '--threads', '1'], { HASHLING_SENSORS_SYSFS_ROOT: coolSysfs().root });
});

after(async () => {
  agent.proc.kill('SIGKILL');
  for (const c of coordinators) c.proc.kill('SIGKILL');
  await broker.stop();
});

test('agents finish their queue, idle without spinning, and resume with a new coordinator', { timeout: 120_000 }, async () => {
  const c = await Collector.connect(broker.url, ['hashling/orphan/#', 'hashling/coordinator/status']);
  try {
    await c.wait('hashling/orphan/state', (j) => j.mode === 'hashing', 40_000);
    await c.wait('hashling/orphan/results', (j) => j.status === 'done', 30_000);
    coordinators[0]!.proc.kill('SIGKILL');
    const killedAt = Date.now();
    await c.wait('hashling/coordinator/status', (j, m) => j.state === 'lost' && m.at >= killedAt, 15_000);
    // Whatever was issued before the kill is finished, then the agent is idle.
    const issued = new Set(c.on('hashling/orphan/work').flatMap((m) => (Array.isArray(m.json) ? m.json : [m.json]).map((u: { unit_id: string }) => u.unit_id)));
    const idle = await c.wait('hashling/orphan/state', (j, m) => j.mode === 'idle' && j.queue_length === 0 && m.at > killedAt, 40_000);
    const settled = new Set(c.on('hashling/orphan/results').map((m) => m.json.unit_id));
    const unfinished = [...issued].filter((u) => !settled.has(u));
    assert.deepEqual(unfinished, [], 'every unit issued before the kill got its result');
    assert.ok(c.on('hashling/orphan/results').filter((m) => m.at > killedAt).every((m) => m.json.status === 'done'), 'queued units ran to the end');
    // Idle means idle: no polling loop, no busy workers.
    const share = await cpuShare(agent.proc.pid!, 5000);
    assert.ok(share < 0.05, `idle agent used ${(share * 100).toFixed(1)} % of a core`);

    const restartedAt = Date.now();
    coordinators.push(spawnCoordinator(broker.url, COORD_ENV));
    const resumed = await c.wait('hashling/orphan/state', (j, m) => j.mode === 'hashing' && m.at > restartedAt, 40_000);
    assert.ok(!issued.has(resumed.json.unit_id), 'hashing a unit of the new coordinator');
    await c.wait('hashling/orphan/results', (j, m) => j.status === 'done' && m.at > restartedAt, 30_000);
    process.stdout.write(`# coordinator restart: agent idle at ${(share * 100).toFixed(2)} % CPU after its queue (${Math.round(idle.at - killedAt)} ms after the kill), hashing ${resumed.at - restartedAt} ms after a new coordinator started\n`);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- agent\n${agent.output().slice(-2000)}`);
  } finally {
    await c.close();
  }
});
