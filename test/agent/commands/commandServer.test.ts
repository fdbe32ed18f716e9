// The command component against a fake link and host: routing, the one catch
// point, retained requests, the rate limit and MQTT 5 response topics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../config/load.ts';
import { CommandServer } from '../../../agent/commands/commandServer.ts';
import type { CommandHost } from '../../../agent/commands/host.ts';
import type { LinkMessage, MqttLink } from '../../../transport/mqttLink.ts';
import { topicMatches } from '../../../protocol/topics.ts';

interface Sent { topic: string; body: any; properties?: any }

function rig(overrides: Record<string, unknown> = {}) {
  const config = loadConfig({ argv: [], env: {}, overrides: { device: { id: 'd1', groups: ['g1'] }, commands: { burst: 3, rate_per_min: 60 }, ...overrides } as Record<string, Record<string, unknown>> });
  const subs: { filter: string; fn: (m: LinkMessage) => void; rap?: boolean }[] = [];
  const sent: Sent[] = [];
  const events: [string, string, string][] = [];
  let now = 1000;
  let paused = false;
  const link: Pick<MqttLink, 'subscribe' | 'publishVolatile'> = {
    subscribe: (filter, _q, fn, o = {}) => { subs.push({ filter, fn, rap: o.rap }); },
    publishVolatile: (topic, payload, o = {}) => { sent.push({ topic, body: JSON.parse(payload), properties: o.properties }); },
  };
  const host: CommandHost = {
    deviceId: 'd1', config: () => config, configFile: undefined, facts: { cores: 4 }, now: () => now,
    setPaused: (p) => { paused = p; }, mode: () => (paused ? 'paused' : 'idle'), publishState: () => {},
    apply: async () => {}, threads: () => 1, maxThreads: () => 4,
    kernels: {}, version: 't', requestRestart: () => {},
    event: (type, code, message) => { events.push([type, code, message]); },
  };
  const server = new CommandServer({ base: 'hashling', id: 'd1', groups: ['g1'], commands: config.commands, link, host, log: () => {} });
  server.start();
  const deliver = async (topic: string, payload: string, opts: { retain?: boolean; properties?: object } = {}) => {
    const msg = { topic, payload: Buffer.from(payload), retain: opts.retain ?? false, packet: { properties: opts.properties } } as LinkMessage;
    for (const s of subs) if (topicMatches(s.filter, topic)) s.fn(msg);
    await new Promise((r) => setTimeout(r, 10));
  };
  return { server, subs, sent, events, deliver, isPaused: () => paused, tick: (ms: number) => { now += ms; } };
}

test('subscribes with Retain As Published to its own, group and fleet command topics', () => {
  const r = rig();
  assert.deepEqual(r.subs.map((s) => [s.filter, s.rap]), [['hashling/d1/cmd/#', true], ['hashling/group/g1/cmd/#', true], ['hashling/all/cmd/#', true]]);
});

test('a device, group or fleet request is answered on the device\'s res topic with the transaction', async () => {
  const r = rig();
  await r.deliver('hashling/d1/cmd/pause', '{"v":1,"transaction":"a"}');
  await r.deliver('hashling/group/g1/cmd/resume', '{"v":1,"transaction":"b"}');
  await r.deliver('hashling/all/cmd/ping', '');
  assert.deepEqual(r.sent.map((s) => [s.topic, s.body.status, s.body.transaction]),
    [['hashling/d1/res/pause', 'ok', 'a'], ['hashling/d1/res/resume', 'ok', 'b'], ['hashling/d1/res/ping', 'ok', undefined]]);
  assert.equal(r.isPaused(), false);
});

test('every failure becomes a coded error response, never an exception', async () => {
  const r = rig({ commands: { burst: 100, rate_per_min: 6000 } });
  const table: [string, string, string][] = [
    ['hashling/d1/cmd/frobnicate', '{"v":1}', 'E_UNKNOWN_COMMAND'],
    ['hashling/d1/cmd/pause', '{"v":1,"now":true}', 'E_BAD_COMMAND'],
    ['hashling/d1/cmd/threads/set', '{"v":1,"threads":99}', 'E_BAD_COMMAND'],
    ['hashling/d1/cmd/threads/set', '{"v":1}', 'E_BAD_COMMAND'],
    ['hashling/d1/cmd/config/set', '{"v":1,"budget":{"temp_target_c":"hot"}}', 'E_CONFIG'],
    ['hashling/d1/cmd/config/get', '{"v":1,"keys":"budget"}', 'E_BAD_COMMAND'],
    ['hashling/d1/cmd/bench', '{"v":1,"ms":1}', 'E_BAD_COMMAND'],
    ['hashling/d1/cmd/ping', '{"v":3,"transaction":9}', 'E_BAD_VERSION'],
    ['hashling/d1/cmd/ping', 'not json', 'E_BAD_JSON'],
    ['hashling/d1/cmd/constructor', '{"v":1}', 'E_UNKNOWN_COMMAND'],
    ['hashling/d1/cmd/budget/set', '{"v":1,"__proto__":{"x":1}}', 'E_FORBIDDEN_KEY'],
    ['hashling/d1/cmd/budget/set', '{"v":1,"toString":1}', 'E_BAD_COMMAND'],
    ['hashling/d1/cmd/config/set', '{"v":1,"broker":{"url":"mqtt://evil:1883"},"sensors":{"vcgencmd_path":"/tmp/x"}}', 'E_CONFIG'],
  ];
  for (const [topic, payload] of table) await r.deliver(topic, payload);
  assert.deepEqual(r.sent.map((s) => s.body.error?.code), table.map((t) => t[2]));
  assert.ok(r.sent.every((s) => s.body.status === 'error' && s.body.v === 1));
  assert.equal(r.sent[7].body.transaction, 9);
});

test('a retained request is not executed and is reported; an empty retained clear is silent', async () => {
  const r = rig();
  await r.deliver('hashling/d1/cmd/pause', '{"v":1}', { retain: true });
  await r.deliver('hashling/d1/cmd/pause', '', { retain: true });
  assert.equal(r.isPaused(), false);
  assert.equal(r.sent.length, 0);
  assert.deepEqual(r.events.map((e) => [e[0], e[1]]), [['warning', 'E_RETAINED_COMMAND']]);
});

test('beyond the burst, requests are refused with E_RATE_LIMITED until tokens refill', async () => {
  const r = rig(); // burst 3, 1 per second
  for (let i = 0; i < 5; i++) await r.deliver('hashling/d1/cmd/ping', '{"v":1}');
  r.tick(1000);
  await r.deliver('hashling/d1/cmd/ping', '{"v":1}');
  assert.deepEqual(r.sent.map((s) => s.body.status), ['ok', 'ok', 'ok', 'error', 'error', 'ok']);
  assert.equal(r.sent[3].body.error.code, 'E_RATE_LIMITED');
});

test('an MQTT 5 request with a response topic is answered there too, correlation data copied', async () => {
  const r = rig();
  const correlationData = Buffer.from([1, 2, 3, 250]);
  await r.deliver('hashling/d1/cmd/ping', '{"v":1}', { properties: { responseTopic: 'replies/x', correlationData } });
  assert.deepEqual(r.sent.map((s) => s.topic), ['hashling/d1/res/ping', 'replies/x']);
  assert.deepEqual(r.sent[1].properties.correlationData, correlationData);
  assert.deepEqual(r.sent[1].body, r.sent[0].body);
});

test('nothing is executed or published after stop()', async () => {
  const r = rig();
  await r.server.stop();
  await r.deliver('hashling/d1/cmd/pause', '{"v":1}');
  assert.equal(r.isPaused(), false);
  assert.equal(r.sent.length, 0);
});
