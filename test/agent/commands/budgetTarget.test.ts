// budget/target: the temperature target alone, within Home Assistant's number
// range, through the same rules as budget/set; against a fake host whose apply()
// puts the config in force, and through the CommandServer's routing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../config/load.ts';
import type { HashlingConfig } from '../../../config/schema.ts';
import { CommandServer } from '../../../agent/commands/commandServer.ts';
import type { CommandHost } from '../../../agent/commands/host.ts';
import { budgetTarget } from '../../../agent/commands/verbs/control.ts';
import type { HashlingError } from '../../../protocol/errors.ts';
import { topicMatches } from '../../../protocol/topics.ts';
import type { LinkMessage, MqttLink } from '../../../transport/mqttLink.ts';

function fakeHost() {
  let config: HashlingConfig = loadConfig({ argv: [], env: {}, overrides: { device: { id: 'd1' } } });
  const applied: string[][] = [];
  const host: CommandHost = {
    deviceId: 'd1', config: () => config, configFile: undefined, facts: { cores: 4 }, now: () => 0,
    setPaused: () => {}, mode: () => 'idle', publishState: () => {},
    apply: async (next, changed) => { config = next; applied.push([...changed]); },
    threads: () => 1, maxThreads: () => 4, kernels: {}, version: 't', requestRestart: () => {}, event: () => {},
  };
  return { host, applied, config: () => config };
}

async function refusal(args: Record<string, unknown>, host: CommandHost): Promise<HashlingError> {
  try {
    await budgetTarget({ host, args, pending: {} });
  } catch (err) {
    return err as HashlingError;
  }
  assert.fail(`budget/target accepted ${JSON.stringify(args)}`);
}

test('sets budget.temp_target_c live and answers the value in force and the previous one', async () => {
  const f = fakeHost();
  assert.equal(f.config().budget.temp_target_c, 70);
  const reply = await budgetTarget({ host: f.host, args: { temp_target_c: 61.5 }, pending: {} });
  assert.deepEqual(reply.data, { temp_target_c: 61.5, previous: 70 });
  assert.deepEqual(f.applied, [['budget.temp_target_c']]);
  assert.equal(f.config().budget.temp_target_c, 61.5);
  assert.equal(f.config().budget.temp_cutoff_c, 80, 'nothing else changed');
});

test('the range ends are accepted: 30 and 90 (with a cutoff above 90)', async () => {
  const f = fakeHost();
  await budgetTarget({ host: f.host, args: { temp_target_c: 30 }, pending: {} });
  assert.equal(f.config().budget.temp_target_c, 30);
  // 90 needs the device's own cutoff above it (budget.temp_cutoff_c is not HA's to set).
  const g = fakeHost();
  await g.host.apply({ ...g.config(), budget: { ...g.config().budget, temp_cutoff_c: 95 } }, ['budget.temp_cutoff_c']);
  await budgetTarget({ host: g.host, args: { temp_target_c: 90 }, pending: {} });
  assert.equal(g.config().budget.temp_target_c, 90);
});

test('values outside [30, 90] °C, other types, a missing value and any other key are refused; nothing applied', async () => {
  const f = fakeHost();
  const bad: Record<string, unknown>[] = [
    { temp_target_c: 29.9 }, { temp_target_c: 90.5 }, { temp_target_c: 120 }, { temp_target_c: -5 },
    { temp_target_c: '65' }, { temp_target_c: null }, { temp_target_c: [65] }, {},
    { temp_target_c: 65, temp_cutoff_c: 125 }, { temp_cutoff_c: 125 }, { power_w: 0 }, { toString: 1 },
  ];
  for (const args of bad) {
    const e = await refusal(args, f.host);
    assert.equal(e.code, 'E_BAD_COMMAND', JSON.stringify(args));
  }
  assert.deepEqual(f.applied, []);
  assert.equal(f.config().budget.temp_target_c, 70);
});

test('the cross-key rule of budget/set holds: a target at or above the device\'s cutoff is refused, naming both keys', async () => {
  const f = fakeHost(); // cutoff 80
  const e = await refusal({ temp_target_c: 85 }, f.host);
  assert.equal(e.code, 'E_BAD_COMMAND');
  assert.match(e.message, /budget\.temp_cutoff_c \(80\) must be above budget\.temp_target_c \(85\)/);
  assert.deepEqual(f.applied, []);
});

test('the command server routes <base>/<id>/cmd/budget/target and answers on res/budget/target', async () => {
  const f = fakeHost();
  const subs: { filter: string; fn: (m: LinkMessage) => void }[] = [];
  const sent: { topic: string; body: any }[] = [];
  const link: Pick<MqttLink, 'subscribe' | 'publishVolatile'> = {
    subscribe: (filter, _q, fn) => { subs.push({ filter, fn }); },
    publishVolatile: (topic, payload) => { sent.push({ topic, body: JSON.parse(payload) }); },
  };
  const server = new CommandServer({ base: 'hashling', id: 'd1', groups: [], commands: f.config().commands, link, host: f.host, log: () => {} });
  server.start();
  assert.ok(server.verbNames.includes('budget/target'));
  for (const payload of ['{"v":1,"temp_target_c":65,"transaction":"ha"}', '{"v":1,"temp_target_c":95}']) {
    const msg = { topic: 'hashling/d1/cmd/budget/target', payload: Buffer.from(payload), retain: false, packet: {} } as LinkMessage;
    for (const s of subs) if (topicMatches(s.filter, msg.topic)) s.fn(msg);
    await new Promise((r) => setTimeout(r, 10));
  }
  await server.stop();
  assert.deepEqual(sent.map((s) => [s.topic, s.body.status]), [['hashling/d1/res/budget/target', 'ok'], ['hashling/d1/res/budget/target', 'error']]);
  assert.deepEqual(sent[0].body.data, { temp_target_c: 65, previous: 70 });
  assert.equal(sent[0].body.transaction, 'ha');
  assert.equal(sent[1].body.error.code, 'E_BAD_COMMAND');
  assert.equal(f.config().budget.temp_target_c, 65);
});
