// The management commands end to end, against real agent processes and a private Mosquitto,
// driven through the wire contract with mosquitto_pub / mosquitto_rr and MQTT.js.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startMosquitto, type Broker } from '../../harness/mosquitto.ts';
import { BIN, spawnAgent, type AgentProcess } from '../helpers/agentProcess.ts';
import { Collector } from '../helpers/collector.ts';

const run = promisify(execFile);
const HARD = '00'.repeat(32);
const HEADER = '01' + '00'.repeat(79);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let broker: Broker;
let c: Collector;
const agents: AgentProcess[] = [];
const T = (id: string, leaf: string) => `hashling/${id}/${leaf}`;

async function pub(topic: string, payload: string, retain = false): Promise<void> {
  await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(broker.port), '-q', '1', '-t', topic, '-m', payload, ...(retain ? ['-r'] : [])]);
}

/** One request/response over MQTT 5 with mosquitto_rr; prints correlation data and payload. */
async function rr(topic: string, payload: string, correlation: string): Promise<{ correlation: string; body: any }> {
  const { stdout } = await run('mosquitto_rr', ['-h', '127.0.0.1', '-p', String(broker.port), '-t', topic, '-e', `replies/${correlation}`, '-m', payload,
    '-D', 'publish', 'correlation-data', correlation, '-F', '%D|%p', '-W', '10'], { timeout: 15_000 });
  const [corr, ...rest] = stdout.trim().split('|');
  return { correlation: corr, body: JSON.parse(rest.join('|')) };
}

function start(id: string, groups: string, extra: string[] = [], env: Record<string, string> = {}): AgentProcess {
  const a = spawnAgent(['--broker', broker.url, '--device-id', id, '--threads', '1', ...extra], { HASHLING_DEVICE_GROUPS: groups, HASHLING_BUDGET_RAMP_UP_PER_S: '10', ...env });
  agents.push(a);
  return a;
}

describe('fleet commands over a real broker', { timeout: 180_000 }, () => {
  before(async () => {
    broker = await startMosquitto();
    c = await Collector.connect(broker.url, ['hashling/#', 'homeassistant/#', 'replies/#'], { protocolVersion: 5 });
    start('cmd-a', 'g1');
    start('cmd-b', 'g1,g9');
    start('cmd-c', 'g2');
    for (const id of ['cmd-a', 'cmd-b', 'cmd-c']) await c.wait(T(id, 'status'), (j) => j?.state === 'online', 30_000);
  });
  after(async () => {
    for (const a of agents) if (a.proc.exitCode === null) a.proc.kill('SIGKILL');
    await c.close();
    await broker.stop();
  });

  test('pause stops hashing (telemetry hashrate 0) and resume restores it', async () => {
    await c.publish(T('cmd-a', 'work'), JSON.stringify({ v: 1, unit_id: 'long', job_id: 'j', algo: 'sha256d', header: HEADER, target: HARD, nonce_start: 0, nonce_end: 0xffffffff }));
    await c.wait(T('cmd-a', 'telemetry'), (j) => j.hashrate_hps['10s'] > 0, 20_000);
    await pub(T('cmd-a', 'cmd/pause'), '{"v":1,"transaction":"p1"}');
    const res = await c.wait(T('cmd-a', 'res/pause'), (j) => j.transaction === 'p1');
    assert.deepEqual([res.json.status, res.json.data.mode], ['ok', 'paused']);
    await c.wait(T('cmd-a', 'state'), (j) => j.mode === 'paused');
    const paused = Date.now();
    // The 10 s window empties 10 s after the last hash; hashes_total stops at once.
    const zero = await c.wait(T('cmd-a', 'telemetry'), (j, m) => m.at > paused && j.hashrate_hps['10s'] === 0, 25_000);
    await c.wait(T('cmd-a', 'telemetry'), (j, m) => m.at > zero.at);
    const frozen = c.on(T('cmd-a', 'telemetry')).filter((m) => m.at >= zero.at).map((m) => m.json.hashes_total);
    assert.equal(new Set(frozen).size, 1, `hashes_total frozen while paused: ${frozen}`);
    await pub(T('cmd-a', 'cmd/resume'), '{"v":1,"transaction":"r1"}');
    assert.equal((await c.wait(T('cmd-a', 'res/resume'), (j) => j.transaction === 'r1')).json.data.mode, 'hashing');
    const t = await c.wait(T('cmd-a', 'telemetry'), (j) => j.hashes_total > frozen[0] && j.hashrate_hps['10s'] > 0, 20_000);
    assert.ok(t.json.hashrate_hps['10s'] > 0);
  });

  test('config/set with bad values lists every problem and changes nothing', async () => {
    await pub(T('cmd-b', 'cmd/config/set'), JSON.stringify({ v: 1, transaction: 'cs1', budget: { temp_target_c: 500, power_w: 3 }, 'hashing.threads': 'many' }));
    const res = await c.wait(T('cmd-b', 'res/config/set'), (j) => j.transaction === 'cs1');
    assert.equal(res.json.status, 'error');
    assert.equal(res.json.error.code, 'E_CONFIG');
    assert.equal(res.json.data.problems.length, 2);
    assert.match(res.json.error.message, /budget\.temp_target_c/);
    assert.match(res.json.error.message, /hashing\.threads/);
    await pub(T('cmd-b', 'cmd/config/get'), '{"v":1,"transaction":"cg1","keys":["budget.temp_target_c","budget.power_w","hashing.threads"]}');
    const got = await c.wait(T('cmd-b', 'res/config/get'), (j) => j.transaction === 'cg1');
    assert.deepEqual(got.json.data.config, { 'budget.temp_target_c': 70, 'budget.power_w': 0, 'hashing.threads': 1 });
  });

  test('a valid config/set applies live and says which keys need a restart', async () => {
    await pub(T('cmd-b', 'cmd/config/set'), JSON.stringify({ v: 1, transaction: 'cs2', budget: { temp_target_c: 62 }, telemetry: { interval_s: 5 } }));
    const res = await c.wait(T('cmd-b', 'res/config/set'), (j) => j.transaction === 'cs2');
    assert.equal(res.json.status, 'ok', JSON.stringify(res.json));
    assert.deepEqual([res.json.data.applied, res.json.data.restart_required, res.json.data.persisted], [['budget.temp_target_c'], ['telemetry.interval_s'], false]);
    await c.wait(T('cmd-b', 'state'), (j) => j.temp_target_c === 62);
  });

  test('a group command reaches exactly the group\'s members', async () => {
    await pub('hashling/group/g1/cmd/ping', '{"v":1,"transaction":"grp"}');
    await c.wait(T('cmd-a', 'res/ping'), (j) => j.transaction === 'grp');
    await c.wait(T('cmd-b', 'res/ping'), (j) => j.transaction === 'grp');
    await pub('hashling/group/g2/cmd/ping', '{"v":1,"transaction":"grp2"}');
    await c.wait(T('cmd-c', 'res/ping'), (j) => j.transaction === 'grp2');
    await sleep(500);
    const answered = (tx: string) => c.on('hashling/+/res/ping').filter((m) => m.json.transaction === tx).map((m) => m.json.device).sort();
    assert.deepEqual(answered('grp'), ['cmd-a', 'cmd-b']);
    assert.deepEqual(answered('grp2'), ['cmd-c']);
    await pub('hashling/all/cmd/ping', '{"v":1,"transaction":"everyone"}');
    for (const id of ['cmd-a', 'cmd-b', 'cmd-c']) await c.wait(T(id, 'res/ping'), (j) => j.transaction === 'everyone');
  });

  test('MQTT 5 correlation data round-trips (mosquitto_rr and MQTT.js)', async () => {
    const r = await rr(T('cmd-c', 'cmd/ping'), '{"v":1}', 'corr-42');
    assert.equal(r.correlation, 'corr-42');
    assert.equal(r.body.status, 'ok');
    assert.equal(r.body.device, 'cmd-c');
    const correlationData = Buffer.from([0, 1, 2, 254, 255]);
    // Listen before publishing: the answer can arrive in the same read as the PUBACK,
    // before publishAsync's promise settles.
    const got = new Promise<{ topic: string; corr: Buffer | undefined }>((resolve, reject) => {
      const timer = setTimeout(() => { c.client.off('message', on); reject(new Error('no answer on replies/js within 15 s')); }, 15_000);
      const on = (topic: string, _p: Buffer, packet: { properties?: { correlationData?: Buffer } }) => {
        if (topic === 'replies/js') { clearTimeout(timer); c.client.off('message', on); resolve({ topic, corr: packet.properties?.correlationData }); }
      };
      c.client.on('message', on);
    });
    await c.client.publishAsync(T('cmd-c', 'cmd/ping'), '{"v":1,"transaction":"js"}', { qos: 1, properties: { responseTopic: 'replies/js', correlationData } });
    assert.deepEqual((await got).corr, correlationData);
  });

  test('a retained command is not executed, and says so in an event', async () => {
    await pub(T('cmd-c', 'cmd/pause'), '{"v":1,"transaction":"ghost"}', true);
    const ev = await c.wait(T('cmd-c', 'events'), (j) => j.code === 'E_RETAINED_COMMAND');
    assert.equal(ev.json.type, 'warning');
    await pub(T('cmd-c', 'cmd/ping'), '{"v":1,"transaction":"after-ghost"}');
    await c.wait(T('cmd-c', 'res/ping'), (j) => j.transaction === 'after-ghost');
    assert.equal(c.on(T('cmd-c', 'res/pause')).length, 0);
    const st = c.on(T('cmd-c', 'state')).at(-1)!;
    assert.notEqual(st.json.mode, 'paused');
    await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(broker.port), '-t', T('cmd-c', 'cmd/pause'), '-r', '-n']);
  });

  test('threads/set changes the pool and the retained state', async () => {
    await pub(T('cmd-c', 'cmd/threads/set'), '{"v":1,"transaction":"th","threads":2}');
    const res = await c.wait(T('cmd-c', 'res/threads/set'), (j) => j.transaction === 'th');
    assert.deepEqual(res.json.data, { threads: 2, previous: 1 });
    await c.wait(T('cmd-c', 'state'), (j) => j.threads === 2);
  });

  test('Home Assistant discovery payloads point at topics that exist and carry the fields their templates read', async () => {
    const disc = await c.wait('homeassistant/device/cmd-a/config');
    const late = await Collector.connect(broker.url, ['homeassistant/device/cmd-a/config']);
    assert.equal((await late.wait('homeassistant/device/cmd-a/config')).retain, true);
    await late.close();
    const p = disc.json;
    for (const [name, cmp] of Object.entries<any>(p.cmps)) {
      if (cmp.state_topic) {
        const m = await c.wait(cmp.state_topic, () => true, 15_000);
        // value_json.a['b'] / value_json.a: the path must exist in the payload.
        const path = /value_json\.(\w+)(?:\['(\w+)'\])?/.exec(cmp.value_template)!;
        const v = path[2] ? m.json[path[1]]?.[path[2]] : m.json[path[1]];
        assert.notEqual(v, undefined, `${name}: ${cmp.value_template} on ${cmp.state_topic}`);
      }
      if (cmp.p === 'button') {
        await c.publish(cmp.command_topic, cmp.payload_press);
        const verb = cmp.command_topic.split('/cmd/')[1];
        await c.wait(T('cmd-a', `res/${verb}`), (j, m) => m.at > disc.at && j.status === 'ok');
      }
    }
    const num = p.cmps.temp_target;
    await c.publish(num.command_topic, num.command_template.replace('{{ value }}', '64.5'));
    await c.wait(T('cmd-a', 'state'), (j) => j.temp_target_c === 64.5);
    assert.equal(p.availability[0].topic, T('cmd-a', 'status'));
    const before = c.on('homeassistant/device/cmd-a/config').length;
    await c.publish('homeassistant/status', 'online');
    await c.wait('homeassistant/device/cmd-a/config', () => c.on('homeassistant/device/cmd-a/config').length > before);
  });

  test('hashling fleet lists the devices and collects a group command\'s answers, naming who did not answer', async () => {
    const fleet = (...args: string[]) => run(process.execPath, [BIN, 'fleet', ...args, '--broker', broker.url], { timeout: 30_000 }).then(
      (r) => ({ code: 0, out: r.stdout }), (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }));
    const list = await fleet('list', '--wait', '1.5');
    assert.equal(list.code, 0);
    for (const id of ['cmd-a', 'cmd-b', 'cmd-c']) assert.match(list.out, new RegExp(`^${id}\\s+(hashing|idle|paused|throttled)\\s`, 'm'));
    assert.match(list.out, /^DEVICE\s+STATE\s+HASHRATE/);
    const grp = await fleet('cmd', 'group:g1', 'ping', '{}');
    assert.equal(grp.code, 0, grp.out);
    assert.match(grp.out, /^cmd-a\s+ok/m);
    assert.match(grp.out, /^cmd-b\s+ok/m);
    assert.doesNotMatch(grp.out, /cmd-c/);
    assert.match(grp.out, /2 answered/);
    const bad = await fleet('cmd', 'cmd-c', 'threads/set', '{"threads":0}');
    assert.equal(bad.code, 1);
    assert.match(bad.out, /cmd-c\s+error E_BAD_COMMAND/);
    const ghost = await fleet('cmd', 'nosuch', 'ping', '--timeout', '1');
    assert.equal(ghost.code, 2);
    assert.match(ghost.out, /no answer from 1: nosuch/);
  });

  test('config/set persists to the config file when writable, and restart exits 75 for the service manager', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hashling-agentcfg-'));
    const file = join(dir, 'agent.json');
    writeFileSync(file, JSON.stringify({ config: { writable: true }, budget: { power_w: 0 } }, null, 2));
    const d = start('cmd-d', '', ['--config', file]);
    await c.wait(T('cmd-d', 'status'), (j) => j?.state === 'online', 30_000);
    // Hostile edits first: whom the device talks to, what it trusts and runs, and more threads than cores.
    const original = readFileSync(file);
    await pub(T('cmd-d', 'cmd/config/set'), JSON.stringify({ v: 1, transaction: 'hostile', broker: { url: 'mqtt://198.51.100.7:1883', ca: '' }, sensors: { vcgencmd_path: '/tmp/x.sh', sysfs_root: '/tmp' } }));
    const hostile = await c.wait(T('cmd-d', 'res/config/set'), (j) => j.transaction === 'hostile');
    assert.equal(hostile.json.error.code, 'E_CONFIG');
    for (const key of ['broker.url', 'broker.ca', 'sensors.vcgencmd_path', 'sensors.sysfs_root']) {
      assert.ok(hostile.json.data.problems.some((p: string) => p.startsWith(`${key}: not settable over MQTT`)), `${key} named in ${JSON.stringify(hostile.json.data.problems)}`);
    }
    await pub(T('cmd-d', 'cmd/config/set'), '{"v":1,"transaction":"t64","hashing":{"threads":64}}');
    const t64 = await c.wait(T('cmd-d', 'res/config/set'), (j) => j.transaction === 't64');
    assert.equal(t64.json.error.code, 'E_CONFIG');
    assert.match(t64.json.data.problems.join(' '), /hashing\.threads \(64\) must not exceed the \d+ cores/);
    await pub(T('cmd-d', 'cmd/budget/set'), '{"v":1,"transaction":"proto","__proto__":{"temp_target_c":120}}');
    assert.equal((await c.wait(T('cmd-d', 'res/budget/set'), (j) => j.transaction === 'proto')).json.error.code, 'E_FORBIDDEN_KEY');
    await pub(T('cmd-d', 'cmd/budget/set'), '{"v":1,"transaction":"ctor","constructor":1}');
    assert.equal((await c.wait(T('cmd-d', 'res/budget/set'), (j) => j.transaction === 'ctor')).json.error.code, 'E_FORBIDDEN_KEY');
    await pub(T('cmd-d', 'cmd/budget/set'), '{"v":1,"transaction":"inh","toString":2,"hasOwnProperty":3}');
    assert.equal((await c.wait(T('cmd-d', 'res/budget/set'), (j) => j.transaction === 'inh')).json.error.code, 'E_BAD_COMMAND');
    assert.deepEqual(readFileSync(file), original, 'the config file is byte-identical after the refused edits');
    await pub(T('cmd-d', 'cmd/config/set'), '{"v":1,"transaction":"w","budget.power_w":4.5,"telemetry.interval_s":2}');
    const res = await c.wait(T('cmd-d', 'res/config/set'), (j) => j.transaction === 'w');
    assert.deepEqual([res.json.status, res.json.data.persisted, res.json.data.restart_required], ['ok', true, ['telemetry.interval_s']]);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { config: { writable: true }, budget: { power_w: 4.5 }, telemetry: { interval_s: 2 } });
    await pub(T('cmd-d', 'cmd/restart'), '{"v":1,"transaction":"rs"}');
    assert.equal((await c.wait(T('cmd-d', 'res/restart'), (j) => j.transaction === 'rs')).json.data.exit_code, 75);
    assert.equal(await d.exited, 75);
    await c.wait(T('cmd-d', 'status'), (j) => j.state === 'offline');
  });
});
