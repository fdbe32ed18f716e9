// deploy/mosquitto's ACL file on the real Mosquitto: accounts made by
// add-device.sh, then every cross-device read and write is tried and must fail.
// A denial is proven by what the other side receives, not only by reason codes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { startMosquitto, type Broker } from '../../harness/mosquitto.ts';
import { spawnAgent } from '../helpers/agentProcess.ts';
import { Collector } from '../helpers/collector.ts';

const DIR = fileURLToPath(new URL('../../deploy/mosquitto/', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let broker: Broker;
let work: string;
const secret = (name: string) => readFileSync(join(work, `${name}.password`), 'utf8').trim();

function addAccount(args: string[], password: string): void {
  execFileSync('sh', [join(DIR, 'add-device.sh'), ...args, '--passwd', join(work, 'passwd'), '--acl', join(work, 'hashling.acl'), '--out', work], { input: `${password}\n`, stdio: ['pipe', 'ignore', 'pipe'] });
}

async function as(name: string, opts: IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(broker.url, { username: name, password: secret(name), protocolVersion: 5, reconnectPeriod: 0, ...opts });
}

/** Everything a client receives, by topic. */
function record(c: MqttClient): string[] {
  const got: string[] = [];
  c.on('message', (t, p) => got.push(`${t} ${p}`));
  return got;
}

describe('deploy/mosquitto ACLs on a real broker', { timeout: 90_000 }, () => {
  let a: MqttClient, b: MqttClient, coord: MqttClient, op: MqttClient;
  let aGot: string[], bGot: string[], opGot: string[];

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'hashling-acl-'));
    copyFileSync(join(DIR, 'hashling.acl'), join(work, 'hashling.acl'));
    addAccount(['password', 'dev-a', '--group', 'ga'], 'pw-a');
    addAccount(['password', 'dev-b', '--group', 'gb'], 'pw-b');
    addAccount(['password', 'dev-c'], 'pw-d'); // the MQTT 3.1.1 client (one session per account)
    addAccount(['account', 'coordinator'], 'pw-c');
    addAccount(['account', 'operator'], 'pw-o');
    addAccount(['account', 'homeassistant'], 'pw-h');
    broker = await startMosquitto({
      config: (port) => [
        // Started as root (CI), Mosquitto would switch to user mosquitto, which cannot read this private temp dir.
        'user root', 'per_listener_settings false', 'allow_anonymous false', `password_file ${join(work, 'passwd')}`,
        `acl_file ${join(work, 'hashling.acl')}`, `listener ${port} 127.0.0.1`, 'use_username_as_clientid true',
      ].join('\n'),
    });
    [a, b, coord, op] = await Promise.all([as('dev-a'), as('dev-b'), as('coordinator'), as('operator')]);
    [aGot, bGot, opGot] = [record(a), record(b), record(op)];
    await b.subscribeAsync(['hashling/dev-b/work', 'hashling/dev-b/cmd/#'], { qos: 1 });
    await op.subscribeAsync('hashling/#', { qos: 1 });
  });
  after(async () => {
    await Promise.all([a, b, coord, op].map((c) => c?.endAsync(true)));
    await broker.stop();
  });

  test('anonymous clients and wrong passwords are refused', async () => {
    await assert.rejects(mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 }), /Not authorized|Bad User Name or Password|Connection refused/i);
    await assert.rejects(mqtt.connectAsync(broker.url, { username: 'dev-a', password: 'wrong', protocolVersion: 5, reconnectPeriod: 0 }), /Bad User Name or Password|Not authorized|Connection refused/i);
    await assert.rejects(mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 }), /Not authorized|Connection refused/i);
  });

  test('device A cannot read B\'s work or commands: nothing of them arrives', async () => {
    const granted = await a.subscribeAsync(['hashling/dev-b/work', 'hashling/dev-b/cmd/#', 'hashling/group/gb/cmd/#', 'hashling/dev-a/cmd/#', 'hashling/group/ga/cmd/#'], { qos: 1 });
    // Mosquitto 2.0 grants every SUBSCRIBE and applies the read ACL to each message
    // it would deliver; a broker that checks at subscribe time answers 0x87 Not
    // authorized (MQTT 5 §3.9.3; 0x80 Failure in 3.1.1). Either way nothing arrives.
    for (const g of granted.slice(0, 3)) assert.ok([1, 0x80, 0x87].includes(g.qos as number));
    assert.deepEqual(granted.slice(3).map((g) => g.qos), [1, 1]);
    // A wildcard over the whole tree is granted but delivers only what A may read.
    await a.subscribeAsync('hashling/#', { qos: 1 });
    await coord.publishAsync('hashling/dev-b/work', '{"v":1,"unit_id":"secret"}', { qos: 1 });
    await op.publishAsync('hashling/dev-b/cmd/pause', '{"v":1}', { qos: 1 });
    await op.publishAsync('hashling/group/gb/cmd/ping', '{"v":1}', { qos: 1 });
    await op.publishAsync('hashling/dev-a/cmd/ping', '{"v":1,"mine":true}', { qos: 1 });
    await sleep(300);
    assert.deepEqual(bGot.sort(), ['hashling/dev-b/cmd/pause {"v":1}', 'hashling/dev-b/work {"v":1,"unit_id":"secret"}']);
    assert.ok(aGot.every((m) => !m.includes('dev-b') && !m.includes('/gb/')), aGot.join('\n'));
    assert.ok(aGot.includes('hashling/dev-a/cmd/ping {"v":1,"mine":true}'));
  });

  test('MQTT 3.1.1: a subscription to another device\'s work delivers nothing', async () => {
    const a4 = await mqtt.connectAsync(broker.url, { username: 'dev-c', password: secret('dev-c'), protocolVersion: 4, reconnectPeriod: 0 });
    try {
      const got = record(a4);
      await a4.subscribeAsync('hashling/dev-b/work', { qos: 1 });
      await coord.publishAsync('hashling/dev-b/work', '{"v":1}', { qos: 1 });
      await sleep(200);
      assert.deepEqual(got, []);
    } finally {
      await a4.endAsync(true);
    }
  });

  test('device A cannot publish B\'s shares or status, nor work for anyone: B\'s observers see nothing', async () => {
    const before = opGot.length;
    const denied = ['hashling/dev-b/shares', 'hashling/dev-b/status', 'hashling/dev-b/work', 'hashling/dev-a/work', 'hashling/all/cmd/pause', 'hashling/dev-b/cmd/pause'];
    for (const topic of denied) {
      // MQTT 5: PUBACK reason 0x87, which MQTT.js reports as an error; MQTT 3.1.1
      // acknowledges and silently drops (below).
      await assert.rejects(a.publishAsync(topic, '{"v":1,"forged":true}', { qos: 1 }), /Not authorized|135/i, topic);
    }
    const a4 = await mqtt.connectAsync(broker.url, { username: 'dev-c', password: secret('dev-c'), protocolVersion: 4, reconnectPeriod: 0 });
    await a4.publishAsync('hashling/dev-b/shares', '{"v":1,"forged":3.1}', { qos: 1 }); // acknowledged
    await a4.endAsync(true);
    await a.publishAsync('hashling/dev-a/shares', '{"v":1,"own":true}', { qos: 1 });
    await sleep(300);
    const seen = opGot.slice(before);
    assert.deepEqual(seen, ['hashling/dev-a/shares {"v":1,"own":true}']);
    assert.ok(!bGot.some((m) => m.includes('forged')));
  });

  test('the coordinator acknowledges shares on a device\'s acks topic; the device reads only its own, and cannot forge them', async () => {
    const got = record(a);
    await a.subscribeAsync(['hashling/dev-a/acks', 'hashling/dev-b/acks'], { qos: 1 });
    await coord.publishAsync('hashling/dev-a/acks', '{"v":1,"shares":[],"to":"a"}', { qos: 1 });
    await coord.publishAsync('hashling/dev-b/acks', '{"v":1,"shares":[],"to":"b"}', { qos: 1 });
    await assert.rejects(b.publishAsync('hashling/dev-b/acks', '{"v":1,"shares":[],"forged":true}', { qos: 1 }), /Not authorized|135/i);
    await sleep(300);
    // (A also holds a hashling/# subscription from an earlier test: overlapping subscriptions may deliver twice.)
    assert.deepEqual([...new Set(got.filter((m) => m.includes('/acks')))], ['hashling/dev-a/acks {"v":1,"shares":[],"to":"a"}']);
  });

  test('the operator can command but cannot issue work; the coordinator may only pause and resume (profit control)', async () => {
    await op.publishAsync('hashling/dev-b/cmd/resume', '{"v":1,"op":1}', { qos: 1 });
    await assert.rejects(op.publishAsync('hashling/dev-b/work', '{"v":1,"op":2}', { qos: 1 }), /Not authorized|135/i);
    await coord.publishAsync('hashling/dev-b/cmd/pause', '{"v":1,"co":1}', { qos: 1 });
    // budget/set carries temperature limits too: not the coordinator's unless the operator opts in (hashling.acl).
    for (const verb of ['budget/set', 'config/set', 'restart', 'threads/set']) {
      await assert.rejects(coord.publishAsync(`hashling/dev-b/cmd/${verb}`, '{"v":1,"co":2}', { qos: 1 }), /Not authorized|135/i, verb);
    }
    await assert.rejects(coord.publishAsync('hashling/group/gb/cmd/pause', '{"v":1,"co":3}', { qos: 1 }), /Not authorized|135/i);
    await sleep(300);
    assert.ok(bGot.includes('hashling/dev-b/cmd/resume {"v":1,"op":1}'));
    assert.ok(bGot.includes('hashling/dev-b/cmd/pause {"v":1,"co":1}'));
    assert.ok(!bGot.some((m) => m.includes('"op":2') || m.includes('"co":2') || m.includes('"co":3')));
  });

  test('the coordinator reads telemetry, state and a market price the operator publishes; devices cannot publish prices', async () => {
    const got = record(coord);
    await coord.subscribeAsync(['hashling/+/telemetry', 'hashling/+/state', 'hashling/market/+/price'], { qos: 1 });
    await b.publishAsync('hashling/dev-b/telemetry', '{"v":1,"power_w":3}', { qos: 1 });
    await b.publishAsync('hashling/dev-b/state', '{"v":1,"mode":"hashing"}', { qos: 1 });
    await op.publishAsync('hashling/market/btc/price', '{"v":1,"price":1,"currency":"USD"}', { qos: 1 });
    await assert.rejects(a.publishAsync('hashling/market/btc/price', '{"v":1,"price":2,"currency":"USD"}', { qos: 1 }), /Not authorized|135/i);
    await sleep(300);
    assert.deepEqual(got.sort(), [
      'hashling/dev-b/state {"v":1,"mode":"hashing"}', 'hashling/dev-b/telemetry {"v":1,"power_w":3}', 'hashling/market/btc/price {"v":1,"price":1,"currency":"USD"}',
    ]);
  });

  test('as shipped, the coordinator cannot write a device\'s presence (the Stratum endpoint lines are commented out)', async () => {
    await assert.rejects(coord.publishAsync('hashling/dev-b/status', '{"v":1,"state":"lost","ts":1}', { qos: 1 }), /Not authorized|135/i);
    await assert.rejects(coord.publishAsync('homeassistant/device/dev-b/config', '{}', { qos: 1 }), /Not authorized|135/i);
  });

  // Home Assistant's role: what its discovery entities send (pause, resume,
  // budget/target), to one device at a time. Its client id is its username, so
  // each test opens and closes its own session.
  const HA_DENIED = [
    'hashling/all/cmd/pause', 'hashling/all/cmd/resume', 'hashling/all/cmd/budget/target',
    'hashling/group/gb/cmd/pause', 'hashling/group/gb/cmd/resume', 'hashling/group/gb/cmd/budget/target',
    'hashling/dev-b/cmd/budget/set', 'hashling/dev-b/cmd/config/set', 'hashling/dev-b/cmd/threads/set',
    'hashling/dev-b/cmd/restart', 'hashling/dev-b/cmd/ping', 'hashling/dev-b/work', 'hashling/coordinator/cmd/pause',
  ];

  test('Home Assistant can pause, resume and set the temperature target of a single device', async () => {
    const ha = await as('homeassistant');
    const before = bGot.length;
    try {
      await ha.publishAsync('hashling/dev-b/cmd/pause', '{"v":1}', { qos: 1 });
      await ha.publishAsync('hashling/dev-b/cmd/resume', '{"v":1}', { qos: 1 });
      await ha.publishAsync('hashling/dev-b/cmd/budget/target', '{"v":1,"temp_target_c":61.5}', { qos: 1 });
      await sleep(300);
    } finally {
      await ha.endAsync(true);
    }
    assert.deepEqual(bGot.slice(before), ['hashling/dev-b/cmd/pause {"v":1}', 'hashling/dev-b/cmd/resume {"v":1}', 'hashling/dev-b/cmd/budget/target {"v":1,"temp_target_c":61.5}']);
  });

  test('Home Assistant cannot command the fleet or a group, nor send budget/set or any other verb (MQTT 5: 0x87, nothing delivered)', async () => {
    const ha = await as('homeassistant');
    const before = opGot.length;
    try {
      for (const topic of HA_DENIED) {
        await assert.rejects(ha.publishAsync(topic, '{"v":1,"temp_target_c":120,"ha":true}', { qos: 1 }), /Not authorized|135/i, topic);
      }
      await sleep(300);
    } finally {
      await ha.endAsync(true);
    }
    assert.deepEqual(opGot.slice(before), [], 'the operator, subscribed to hashling/#, saw none of them');
  });

  test('Home Assistant over MQTT 3.1.1 (its default): the same publishes are dropped silently', async () => {
    const ha = await as('homeassistant', { protocolVersion: 4 });
    const before = opGot.length;
    try {
      for (const topic of HA_DENIED) await ha.publishAsync(topic, '{"v":1,"ha":311}', { qos: 1 });
      await ha.publishAsync('hashling/dev-b/cmd/pause', '{"v":1,"ha":"allowed"}', { qos: 1 });
      await sleep(300);
    } finally {
      await ha.endAsync(true);
    }
    assert.deepEqual(opGot.slice(before), ['hashling/dev-b/cmd/pause {"v":1,"ha":"allowed"}']);
  });

  test('a device cannot take over another device\'s session by reusing its client id', async () => {
    let bClosed = false;
    b.once('close', () => { bClosed = true; });
    const intruder = await mqtt.connectAsync(broker.url, { username: 'dev-a', password: secret('dev-a'), clientId: 'dev-b', protocolVersion: 5, reconnectPeriod: 0 });
    await sleep(300);
    await intruder.endAsync(true);
    assert.equal(bClosed, false);
  });

  test('a real agent runs under the ACL: announces itself, answers the operator, HA discovery allowed', async () => {
    const obs = await Collector.connect(broker.url, ['hashling/#', 'homeassistant/#'], { username: 'operator', password: secret('operator'), clientId: 'operator', protocolVersion: 5 });
    const agent = spawnAgent(['--broker', broker.url, '--device-id', 'dev-a', '--threads', '1'], {
      HASHLING_BROKER_USERNAME: 'dev-a', HASHLING_BROKER_PASSWORD_FILE: join(work, 'dev-a.password'), HASHLING_DEVICE_GROUPS: 'ga',
    });
    try {
      await obs.wait('hashling/dev-a/status', (j) => j?.state === 'online', 30_000);
      await obs.wait('hashling/dev-a/info');
      await obs.wait('homeassistant/device/dev-a/config');
      await obs.publish('hashling/group/ga/cmd/ping', '{"v":1,"transaction":"acl"}');
      const res = await obs.wait('hashling/dev-a/res/ping', (j) => j.transaction === 'acl');
      assert.equal(res.json.status, 'ok');
      // Home Assistant's number entity, end to end: its discovery names the topic,
      // the broker lets HA write it, the agent applies it (and bounds it).
      const disco = await obs.wait('homeassistant/device/dev-a/config');
      const number = disco.json.cmps.temp_target;
      const ha = await as('homeassistant');
      try {
        await ha.publishAsync(number.command_topic, number.command_template.replace('{{ value }}', '55'), { qos: 1 });
        const set = await obs.wait('hashling/dev-a/res/budget/target', (j) => j.status === 'ok');
        assert.equal(set.json.data.temp_target_c, 55);
        await obs.wait('hashling/dev-a/state', (j) => j.temp_target_c === 55);
        await ha.publishAsync(number.command_topic, number.command_template.replace('{{ value }}', '120'), { qos: 1 });
        const refused = await obs.wait('hashling/dev-a/res/budget/target', (j) => j.status === 'error');
        assert.equal(refused.json.error.code, 'E_BAD_COMMAND');
        await assert.rejects(ha.publishAsync('hashling/dev-a/cmd/budget/set', '{"v":1,"temp_target_c":120,"temp_cutoff_c":125}', { qos: 1 }), /Not authorized|135/i);
      } finally {
        await ha.endAsync(true);
      }
    } finally {
      agent.proc.kill('SIGTERM');
      await agent.exited;
      await obs.close();
    }
  });
});

/** The coordinator's lines for the Stratum endpoint, shipped commented out. */
const ENDPOINT_LINES = ['topic write hashling/+/status', 'topic write hashling/+/info', 'topic write hashling/+/telemetry', 'topic write homeassistant/device/+/config'];

describe('deploy/mosquitto ACL with the Stratum endpoint lines uncommented', { timeout: 60_000 }, () => {
  let ebroker: Broker;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hashling-acl-endpoint-'));
    // What an operator does for a coordinator with coordinator.stratum_listen set.
    let acl = readFileSync(join(DIR, 'hashling.acl'), 'utf8');
    for (const line of ENDPOINT_LINES) {
      assert.ok(acl.includes(`\n#${line}\n`), `the shipped ACL has "#${line}"`);
      acl = acl.replace(`\n#${line}\n`, `\n${line}\n`);
    }
    writeFileSync(join(dir, 'hashling.acl'), acl);
    for (const [args, pw] of [[['password', 'dev-a'], 'pw-a'], [['account', 'coordinator'], 'pw-c'], [['account', 'operator'], 'pw-o']] as const) {
      execFileSync('sh', [join(DIR, 'add-device.sh'), ...args, '--passwd', join(dir, 'passwd'), '--acl', join(dir, 'hashling.acl'), '--out', dir], { input: `${pw}\n`, stdio: ['pipe', 'ignore', 'pipe'] });
    }
    ebroker = await startMosquitto({
      config: (port) => [
        'user root', 'per_listener_settings false', 'allow_anonymous false', `password_file ${join(dir, 'passwd')}`,
        `acl_file ${join(dir, 'hashling.acl')}`, `listener ${port} 127.0.0.1`, 'use_username_as_clientid true',
      ].join('\n'),
    });
  });
  after(async () => {
    await ebroker?.stop();
  });

  test('the coordinator publishes a miner\'s status, info, telemetry and discovery; a device still cannot', async () => {
    const login = (name: string) => ({ username: name, password: readFileSync(join(dir, `${name}.password`), 'utf8').trim(), protocolVersion: 5 as const, reconnectPeriod: 0 });
    const obs = await Collector.connect(ebroker.url, ['hashling/#', 'homeassistant/#'], { ...login('operator'), clientId: 'operator' });
    const coord = await mqtt.connectAsync(ebroker.url, login('coordinator'));
    const dev = await mqtt.connectAsync(ebroker.url, login('dev-a'));
    try {
      // The coordinator also reads HA's birth message to re-announce its miners (a pattern line every account has).
      const [granted] = await coord.subscribeAsync('homeassistant/status', { qos: 1 });
      assert.equal(granted!.qos, 1);
      for (const leaf of ['info', 'status', 'telemetry']) await coord.publishAsync(`hashling/miner-1/${leaf}`, `{"v":1,"leaf":"${leaf}"}`, { qos: 1 });
      await coord.publishAsync('homeassistant/device/miner-1/config', '{"dev":{}}', { qos: 1 });
      for (const leaf of ['info', 'status', 'telemetry']) assert.equal((await obs.wait(`hashling/miner-1/${leaf}`)).json.leaf, leaf);
      await obs.wait('homeassistant/device/miner-1/config');
      await assert.rejects(dev.publishAsync('hashling/miner-1/status', '{"v":1,"forged":true}', { qos: 1 }), /Not authorized|135/i);
    } finally {
      await Promise.all([coord.endAsync(true), dev.endAsync(true), obs.close()]);
    }
  });
});

describe('add-device.sh', () => {
  test('issues a client certificate with CN = device id from the local fleet CA', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hashling-ca-'));
    const script = join(DIR, 'add-device.sh');
    execFileSync('sh', [script, 'init-ca', '--ca-dir', join(dir, 'ca')], { stdio: 'ignore' });
    execFileSync('sh', [script, 'cert', 'pi-09', '--group', 'g', '--ca-dir', join(dir, 'ca'), '--out', join(dir, 'certs'), '--acl', join(dir, 'acl')], { stdio: 'ignore' });
    const verify = execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca', 'ca.crt'), join(dir, 'certs', 'pi-09.crt')]).toString();
    assert.match(verify, /: OK/);
    const subject = execFileSync('openssl', ['x509', '-in', join(dir, 'certs', 'pi-09.crt'), '-noout', '-subject']).toString();
    assert.match(subject, /CN ?= ?pi-09/);
    assert.equal(readFileSync(join(dir, 'acl'), 'utf8'), '# device pi-09\nuser pi-09\ntopic read hashling/group/g/cmd/#\n\n');
  });

  test('refuses reserved names and account names as device ids', () => {
    for (const bad of ['all', 'group', 'coordinator', 'operator', 'homeassistant', 'a/b', '']) {
      assert.throws(() => execFileSync('sh', [join(DIR, 'add-device.sh'), 'password', bad, '--passwd', '/dev/null', '--acl', '/dev/null'], { input: 'x\n', stdio: ['pipe', 'ignore', 'ignore'] }), bad);
    }
  });

  const hasShellcheck = (() => { try { execFileSync('shellcheck', ['--version'], { stdio: 'ignore' }); return true; } catch { return false; } })();
  test('is shellcheck-clean', { skip: hasShellcheck ? false : 'shellcheck not installed' }, () => {
    execFileSync('shellcheck', [join(DIR, 'add-device.sh')]);
  });
});
