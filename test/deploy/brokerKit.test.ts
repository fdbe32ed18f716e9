// deploy/mosquitto/install-broker-kit.sh on Debian's stock Mosquitto layout
// (unpacked from the package this machine runs, debianMosquitto.ts), the way
// deploy/README.md says to install it; then the real broker is started from
// Debian's own main file plus the kit, on a free loopback port, and a real agent
// connects to the kit's TLS listener with its password (CA and broker
// certificate made by the kit for 127.0.0.1). Covered: no duplicate settings,
// idempotence, file permissions the broker (dropping to user mosquitto when
// started as root) can read, password auth over TLS, ACL confinement of the
// agent's account. Not covered: client-certificate auth, the 1883 loopback
// listener (turned off here: port 1883 on this machine is not ours).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { freePort } from '../../harness/mosquitto.ts';
import { spawnAgent } from '../helpers/agentProcess.ts';
import { Collector } from '../helpers/collector.ts';
import { bootable, mosquittoDeb, startBroker, unpack, type RootBroker } from './debianMosquitto.ts';
import { run } from './tools.ts';

const KIT = fileURLToPath(new URL('../../deploy/mosquitto/', import.meta.url));
const INSTALL = join(KIT, 'install-broker-kit.sh');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const found = mosquittoDeb();
const skip = 'skip' in found ? found.skip : false;

/** Every file under dir with its bytes and mtime, to prove a re-run touched nothing. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out.set(p, `${st.mtimeMs} ${st.mode} ${readFileSync(p, 'base64')}`);
    }
  };
  walk(dir);
  return out;
}

describe('the broker kit on Debian\'s stock Mosquitto layout', { skip, timeout: 180_000 }, () => {
  let root: string, work: string, port: number, broker: RootBroker, packaged: string;
  const etc = (p: string) => join(root, 'etc/mosquitto', p);
  const kit = (...args: string[]) => run('sh', [INSTALL, '--root', root, ...args]);
  const kitArgs = () => ['--host', '127.0.0.1', '--listen', `127.0.0.1:${port}`, '--local-port', 'off'];
  const secret = (name: string) => readFileSync(join(work, `${name}.password`), 'utf8').trim();
  const tls = () => ({ ca: readFileSync(etc('hashling/ca/ca.crt')), rejectUnauthorized: true });
  const as = (name: string, opts: IClientOptions = {}): Promise<MqttClient> =>
    mqtt.connectAsync(broker.url, { username: name, password: secret(name), protocolVersion: 5, reconnectPeriod: 0, ...tls(), ...opts });
  function addAccount(args: string[], password: string): void {
    execFileSync('sh', [join(KIT, 'add-device.sh'), ...args, '--passwd', etc('hashling/passwd'), '--acl', etc('hashling/hashling.acl'), '--out', work],
      { input: `${password}\n`, stdio: ['pipe', 'ignore', 'pipe'] });
  }

  before(async () => {
    if (!('deb' in found)) return;
    root = mkdtempSync(join(tmpdir(), 'hashling-kit-'));
    work = mkdtempSync(join(tmpdir(), 'hashling-kit-secrets-'));
    unpack(found.deb, root);
    packaged = readFileSync(etc('mosquitto.conf'), 'utf8');
    port = await freePort();
  });
  after(async () => {
    await broker?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('Debian\'s main file already sets persistence and reads conf.d (what the kit must not repeat)', () => {
    for (const line of ['persistence true', 'persistence_location /var/lib/mosquitto/', 'pid_file /run/mosquitto/mosquitto.pid', 'include_dir /etc/mosquitto/conf.d']) {
      assert.match(packaged, new RegExp(`^${line}$`, 'm'), line);
    }
  });

  test('install adds conf.d/hashling.conf and hashling/, leaves Debian\'s file as packaged, repeats nothing it sets', () => {
    const r = kit(...kitArgs());
    assert.equal(r.status, 0, r.out);
    assert.equal(readFileSync(etc('mosquitto.conf'), 'utf8'), packaged);
    const dropin = readFileSync(etc('conf.d/hashling.conf'), 'utf8');
    const keys = (text: string) => text.split('\n').filter((l) => l.trim() && !l.startsWith('#')).map((l) => l.split(/\s+/)[0]);
    for (const k of ['persistence_location', 'pid_file', 'log_dest', 'include_dir']) assert.ok(!keys(dropin).includes(k), k);
    assert.match(dropin, /^autosave_interval 60$/m);
    assert.match(dropin, new RegExp(`^listener ${port} 127\\.0\\.0\\.1$`, 'm'));
    assert.doesNotMatch(dropin, /^listener 1883/m);
    assert.ok(keys(dropin).includes('acl_file'));
    const cert = execFileSync('openssl', ['x509', '-in', etc('hashling/ca/broker.crt'), '-noout', '-ext', 'subjectAltName']).toString();
    assert.match(cert, /IP Address:127\.0\.0\.1/);
  });

  test('a second run changes no file, and keeps the per-device blocks add-device.sh appended', () => {
    addAccount(['password', 'dev-a', '--group', 'ga'], 'pw-a');
    addAccount(['password', 'dev-b', '--group', 'gb'], 'pw-b');
    addAccount(['account', 'operator'], 'pw-o');
    const before = snapshot(etc(''));
    const r = kit(...kitArgs());
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /unchanged .*hashling\.acl/);
    assert.match(r.out, /unchanged .*conf\.d\/hashling\.conf/);
    assert.deepEqual(snapshot(etc('')), before);
    assert.match(readFileSync(etc('hashling/hashling.acl'), 'utf8'), /^# device dev-a\nuser dev-a\ntopic read hashling\/group\/ga\/cmd\/#$/m);
  });

  test('the real broker starts from Debian\'s file plus the kit; an agent connects over TLS with its password', async () => {
    const conf = bootable(root);
    try {
      broker = await startBroker(root, conf, port, 'mqtts');
    } catch (err) {
      // The free port found in before() can be taken by another process by now:
      // install on a new one (the kit rewrites its listener) and start again.
      if (!/Address already in use/i.test((err as Error).message)) throw err;
      port = await freePort();
      assert.equal(kit(...kitArgs()).status, 0);
      broker = await startBroker(root, conf, port, 'mqtts');
    }
    // (the port probe's bare TCP connect logs an OpenSSL "unexpected eof": not a config error)
    assert.match(broker.log(), /mosquitto version [\d.]+ running/);
    assert.doesNotMatch(broker.log(), /Duplicate|Unable to|Error: [^\n]*config/i);
    const obs = await Collector.connect(broker.url, ['hashling/#'], { username: 'operator', password: secret('operator'), protocolVersion: 5, ...tls() });
    const agent = spawnAgent(['--broker', broker.url, '--device-id', 'dev-a', '--threads', '1'], {
      HASHLING_BROKER_USERNAME: 'dev-a', HASHLING_BROKER_PASSWORD_FILE: join(work, 'dev-a.password'),
      HASHLING_BROKER_CA: etc('hashling/ca/ca.crt'), HASHLING_DEVICE_GROUPS: 'ga', HASHLING_DISCOVERY_HOMEASSISTANT: 'false',
    });
    try {
      await obs.wait('hashling/dev-a/status', (j) => j?.state === 'online', 30_000);
      await obs.publish('hashling/group/ga/cmd/ping', '{"v":1,"transaction":"kit"}');
      const res = await obs.wait('hashling/dev-a/res/ping', (j) => j.transaction === 'kit');
      assert.equal(res.json.status, 'ok');
      assert.match(broker.log(), /New client connected .* as dev-a .*u'dev-a'/);
    } finally {
      agent.proc.kill('SIGTERM');
      assert.equal(await agent.exited, 0, agent.output());
      await obs.close();
    }
  });

  test('the agent\'s account is confined: it cannot write or read another device\'s topics', async () => {
    // The agent has stopped: with use_username_as_clientid a second session of
    // dev-a would take over the agent's, so its credentials are tried here alone.
    const a = await as('dev-a');
    const b = await as('dev-b');
    const op = await as('operator');
    const aGot: string[] = [];
    const opGot: string[] = [];
    a.on('message', (t, p) => aGot.push(`${t} ${p}`));
    op.on('message', (t, p) => opGot.push(`${t} ${p}`));
    try {
      await op.subscribeAsync('hashling/dev-b/#', { qos: 1 });
      for (const topic of ['hashling/dev-b/shares', 'hashling/dev-b/status', 'hashling/dev-b/cmd/pause', 'hashling/all/cmd/pause', 'hashling/dev-b/work']) {
        await assert.rejects(a.publishAsync(topic, '{"v":1,"forged":true}', { qos: 1 }), /Not authorized|135/i, topic);
      }
      await a.subscribeAsync(['hashling/dev-b/#', 'hashling/group/gb/cmd/#'], { qos: 1 });
      await op.publishAsync('hashling/dev-b/cmd/ping', '{"v":1,"for":"b"}', { qos: 1 });
      await op.publishAsync('hashling/group/gb/cmd/ping', '{"v":1,"for":"gb"}', { qos: 1 });
      await b.publishAsync('hashling/dev-b/telemetry', '{"v":1,"own":true}', { qos: 1 });
      await sleep(300);
      assert.deepEqual(aGot, []);
      assert.ok(!opGot.some((m) => m.includes('forged')), opGot.join('\n'));
      assert.ok(opGot.includes('hashling/dev-b/telemetry {"v":1,"own":true}'), opGot.join('\n'));
    } finally {
      await Promise.all([a, b, op].map((c) => c.endAsync(true)));
    }
  });

  test('wrong passwords, anonymous clients and plain MQTT on the TLS port are refused', async () => {
    await assert.rejects(mqtt.connectAsync(broker.url, { username: 'dev-a', password: 'wrong', protocolVersion: 5, reconnectPeriod: 0, ...tls() }), /Bad User Name or Password|Not authorized/i);
    await assert.rejects(mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0, ...tls() }), /Not authorized|Bad User Name or Password/i);
    await assert.rejects(mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { username: 'dev-a', password: secret('dev-a'), protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 2000 }));
  });
});

describe('install-broker-kit.sh elsewhere', { skip }, () => {
  test('refuses settings that would clash with the kit\'s, naming file and line, and writes no drop-in', () => {
    if (!('deb' in found)) return;
    const root = mkdtempSync(join(tmpdir(), 'hashling-kit-clash-'));
    try {
      unpack(found.deb, root);
      writeFileSync(join(root, 'etc/mosquitto/conf.d/local.conf'), '# mine\nallow_anonymous true\nlistener 8883\n');
      // What the previous broker instructions appended to Debian's main file.
      const main = join(root, 'etc/mosquitto/mosquitto.conf');
      writeFileSync(main, `${readFileSync(main, 'utf8')}include_dir /etc/mosquitto/hashling/conf.d\n`);
      const r = run('sh', [INSTALL, '--root', root, '--host', 'broker.example.net']);
      assert.equal(r.status, 1, r.out);
      assert.match(r.out, /local\.conf:2: allow_anonymous true/);
      assert.match(r.out, /local\.conf:3: listener 8883 \(the kit opens this port\)/);
      assert.match(r.out, /include_dir \/etc\/mosquitto\/hashling\/conf\.d \(no such directory/);
      assert.throws(() => statSync(join(root, 'etc/mosquitto/conf.d/hashling.conf')));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('refuses a main file that does not read conf.d', () => {
    if (!('deb' in found)) return;
    const root = mkdtempSync(join(tmpdir(), 'hashling-kit-noinc-'));
    try {
      unpack(found.deb, root);
      const main = join(root, 'etc/mosquitto/mosquitto.conf');
      writeFileSync(main, readFileSync(main, 'utf8').replace(/^include_dir .*$/m, ''));
      const r = run('sh', [INSTALL, '--root', root, '--host', 'broker.example.net']);
      assert.equal(r.status, 1, r.out);
      assert.match(r.out, /does not read .*conf\.d: add the line 'include_dir \/etc\/mosquitto\/conf\.d'/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('without a main file (no Debian layout) it installs its own and the broker starts with it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hashling-kit-bare-'));
    const port = await freePort();
    let broker: RootBroker | undefined;
    try {
      const r = run('sh', [INSTALL, '--root', root, '--host', '127.0.0.1', '--listen', `127.0.0.1:${port}`, '--local-port', 'off']);
      assert.equal(r.status, 0, r.out);
      const main = readFileSync(join(root, 'etc/mosquitto/mosquitto.conf'), 'utf8');
      assert.match(main, new RegExp(`^persistence_location ${root}/var/lib/mosquitto/$`, 'm'));
      assert.match(main, new RegExp(`^include_dir ${root}/etc/mosquitto/conf.d$`, 'm'));
      broker = await startBroker(root, bootable(root), port, 'mqtts');
      const c = mqtt.connect(broker.url, { protocolVersion: 5, reconnectPeriod: 0, ca: readFileSync(join(root, 'etc/mosquitto/hashling/ca/ca.crt')) });
      const refused = await new Promise<string>((resolve) => { c.once('error', (e) => resolve(e.message)); c.once('connect', () => resolve('connected')); });
      c.end(true);
      assert.match(refused, /Not authorized|Bad User Name or Password/i, 'TLS handshake done, anonymous refused by the kit');
    } finally {
      await broker?.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
