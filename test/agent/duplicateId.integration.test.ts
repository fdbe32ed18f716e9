// One device id, one agent: a second agent started with the same id does not
// fight the first for the broker session. Within 10 s one of them stops with
// E_DUPLICATE_ID (exit 79) and the retained status stays `online` for the other.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startMosquitto, type Broker } from '../../harness/mosquitto.ts';
import { EXIT } from '../../lifecycle/exitCodes.ts';
import { Collector } from '../helpers/collector.ts';
import { spawnAgent, type AgentProcess } from '../helpers/agentProcess.ts';

let broker: Broker;
const agents: AgentProcess[] = [];

before(async () => { broker = await startMosquitto(); });
after(async () => {
  for (const a of agents) a.proc.kill('SIGKILL');
  await broker.stop();
});

test('two agents started with one id: the later one stops with E_DUPLICATE_ID and the first stays online', { timeout: 60_000 }, async () => {
  const c = await Collector.connect(broker.url, ['hashling/twin/#']);
  const env = { HASHLING_BROKER_RECONNECT_MIN_MS: '300', HASHLING_BROKER_RECONNECT_MAX_MS: '1000', HASHLING_BUDGET_MAX_CPU_PERCENT: '20' };
  try {
    const first = spawnAgent(['--broker', broker.url, '--device-id', 'twin', '--threads', '1'], env);
    agents.push(first);
    const online = await c.wait('hashling/twin/status', (j) => j.state === 'online', 20_000);
    const firstSession = online.json.session as string;
    const second = spawnAgent(['--broker', broker.url, '--device-id', 'twin', '--threads', '1'], env);
    agents.push(second);
    // The second one's start (its own self-test and boot) is not part of the 10 s.
    await c.wait('hashling/twin/status', (j) => j.state === 'online' && j.session !== firstSession, 20_000);
    const t0 = Date.now();
    const code = await Promise.race([second.exited, first.exited, new Promise((r) => setTimeout(() => r('still running'), 10_000))]);
    assert.equal(code, EXIT.DUPLICATE_ID, `one agent stops with exit 79 within 10 s\n--- first\n${first.output()}\n--- second\n${second.output()}`);
    assert.ok(Date.now() - t0 < 10_000);
    assert.equal(second.proc.exitCode, EXIT.DUPLICATE_ID, 'the agent that started later is the one that yields');
    assert.equal(first.proc.exitCode, null, 'the first agent runs on');
    assert.match(second.output(), /E_DUPLICATE_ID: another agent .* is online as "twin"/);
    const event = await c.wait('hashling/twin/events', (j) => j.code === 'E_DUPLICATE_ID', 5000);
    assert.equal(event.json.type, 'error');
    // After the fight the retained status is the first agent's online, and stays so.
    await new Promise((r) => setTimeout(r, 3000));
    const late = await Collector.connect(broker.url, ['hashling/twin/status']);
    try {
      const s = await late.wait('hashling/twin/status');
      assert.deepEqual([s.retain, s.json.state, s.json.session], [true, 'online', firstSession]);
    } finally {
      await late.close();
    }
  } finally {
    await c.close();
  }
});
