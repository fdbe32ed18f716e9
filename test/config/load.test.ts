import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, redactConfig, configDigest } from '../../config/load.ts';
import { sanitizeDeviceId } from '../../config/formats.ts';
import { HashlingError } from '../../protocol/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'hashling-config-'));

test('defaults apply when nothing is set', () => {
  const c = loadConfig({ env: {} });
  assert.equal(c.mqtt.base_topic, 'hashling');
  assert.equal(c.telemetry.interval_s, 10);
  assert.equal(c.broker.protocol_version, 5);
  assert.match(c.device.id, /^[A-Za-z0-9_-]{1,64}$/);
});

test('file < env < CLI flags', () => {
  const file = join(dir, 'c.json');
  writeFileSync(file, JSON.stringify({ device: { id: 'from-file' }, hashing: { threads: 3 }, broker: { keepalive_s: 7 } }));
  const c = loadConfig({ argv: ['--config', file, '--device-id', 'from-flag'], env: { HASHLING_DEVICE_ID: 'from-env', HASHLING_HASHING_THREADS: '5' }, host: { cores: 8 } });
  assert.equal(c.device.id, 'from-flag');
  assert.equal(c.hashing.threads, 5);
  assert.equal(c.broker.keepalive_s, 7);
});

test('HASHLING_CONFIG names the file when --config is absent', () => {
  const file = join(dir, 'c2.json');
  writeFileSync(file, JSON.stringify({ mqtt: { base_topic: 'farm' } }));
  assert.equal(loadConfig({ env: { HASHLING_CONFIG: file } }).mqtt.base_topic, 'farm');
});

test('groups come comma-separated from env', () => {
  assert.deepEqual(loadConfig({ env: { HASHLING_DEVICE_GROUPS: 'attic, garage' } }).device.groups, ['attic', 'garage']);
});

test('every problem is reported at once with E_CONFIG', () => {
  try {
    loadConfig({ argv: ['--device-id', 'all', '--threads', '0'], env: { HASHLING_BROKER_URL: 'http://x', HASHLING_MQTT_BASE_TOPIC: 'a/#' } });
    assert.fail('expected E_CONFIG');
  } catch (err) {
    assert.ok(err instanceof HashlingError);
    assert.equal(err.code, 'E_CONFIG');
    for (const key of ['device.id', 'hashing.threads', 'broker.url', 'mqtt.base_topic']) assert.match(err.message, new RegExp(key.replace('.', '\\.')));
  }
});

test('unknown keys in a config file are errors (strict)', () => {
  const file = join(dir, 'c3.json');
  writeFileSync(file, JSON.stringify({ hashing: { thread: 2 } }));
  assert.throws(() => loadConfig({ argv: ['--config', file], env: {} }), /hashing\.thread/);
});

test('an unreadable or malformed config file is reported', () => {
  const file = join(dir, 'bad.json');
  writeFileSync(file, '{oops');
  assert.throws(() => loadConfig({ argv: ['--config', file], env: {} }), /config file/);
  assert.throws(() => loadConfig({ argv: ['--config', join(dir, 'missing.json')], env: {} }), /config file/);
});

test('the password is read from password_file and redacted in print', () => {
  const pw = join(dir, 'pw');
  writeFileSync(pw, 's3cret\n');
  const c = loadConfig({ env: { HASHLING_BROKER_PASSWORD_FILE: pw } });
  assert.equal(c.broker.password, 's3cret');
  const printed = JSON.stringify(redactConfig(c));
  assert.doesNotMatch(printed, /s3cret/);
  assert.match(printed, /\[redacted\]/);
});

test('the config digest changes with a setting and ignores secrets', () => {
  const a = loadConfig({ env: { HASHLING_BROKER_PASSWORD: 'one' } });
  const b = loadConfig({ env: { HASHLING_BROKER_PASSWORD: 'two' } });
  const c = loadConfig({ env: { HASHLING_TELEMETRY_INTERVAL_S: '5' } });
  assert.equal(configDigest(a), configDigest(b));
  assert.notEqual(configDigest(a), configDigest(c));
});

test('hostnames are sanitized into device ids', () => {
  assert.equal(sanitizeDeviceId('pi.local'), 'pi-local');
  assert.equal(sanitizeDeviceId('a'.repeat(80)).length, 64);
  assert.equal(sanitizeDeviceId('all'), 'device-all');
});

test('booleans take exactly true/false, 1/0, yes/no, on/off; anything else is a config error naming the key', () => {
  for (const [raw, want] of [['no', false], ['0', false], ['off', false], ['false', false], ['yes', true], ['1', true], ['on', true], ['true', true]] as const) {
    assert.equal(loadConfig({ env: { HASHLING_BROKER_ALLOW_INSECURE: raw } }).broker.allow_insecure, want, raw);
    assert.equal(loadConfig({ env: { HASHLING_DISCOVERY_HOMEASSISTANT: raw } }).discovery.homeassistant, want, raw);
  }
  assert.throws(() => loadConfig({ env: { HASHLING_BROKER_ALLOW_INSECURE: 'maybe' } }), (e: HashlingError) => e.code === 'E_CONFIG' && /broker\.allow_insecure: must be a boolean/.test(e.message));
});

test('cross-key rules hold for every source, and a bad JSON value names its key', () => {
  assert.throws(() => loadConfig({ env: { HASHLING_BUDGET_TEMP_CUTOFF_C: '50' } }), /budget\.temp_cutoff_c \(50\) must be above budget\.temp_target_c \(70\)/);
  const file = join(dir, 'cut.json');
  writeFileSync(file, JSON.stringify({ budget: { temp_cutoff_c: 50 } }));
  assert.throws(() => loadConfig({ file, env: {} }), /temp_cutoff_c \(50\) must be above/);
  assert.throws(() => loadConfig({ env: { HASHLING_BUDGET_SCHEDULE: '{oops' } }), /budget\.schedule: not valid JSON/);
  assert.throws(() => loadConfig({ env: { HASHLING_HASHING_THREADS: '64' }, host: { cores: 2 } }), /hashing\.threads \(64\) must not exceed the 2 cores/);
});

test('a file key names a file that must be readable at load (exit 78 names the key, no reconnect loop later)', () => {
  for (const key of ['BROKER_CA', 'BROKER_PASSWORD_FILE', 'COORDINATOR_POOL_CA', 'COORDINATOR_SIGNING_KEY_FILE']) {
    assert.throws(() => loadConfig({ env: { [`HASHLING_${key}`]: join(dir, 'no-such.pem') } }), (e: HashlingError) => e.code === 'E_CONFIG' && new RegExp(`${key.toLowerCase().replace('_', '\\.')}: cannot read .*ENOENT`).test(e.message), key);
  }
});

test('a pinned CA means TLS only; a password is not sent over plain TCP to another host', () => {
  const ca = join(dir, 'ca.pem');
  writeFileSync(ca, '-----BEGIN CERTIFICATE-----\n');
  assert.throws(() => loadConfig({ env: { HASHLING_BROKER_CA: ca, HASHLING_BROKER_URL: 'mqtt://10.0.0.5:1883' } }), /broker\.ca is set, so the broker must be reached over TLS/);
  assert.equal(loadConfig({ env: { HASHLING_BROKER_CA: ca, HASHLING_BROKER_URL: 'mqtts://10.0.0.5:8883' } }).broker.ca, ca);
  assert.throws(() => loadConfig({ env: { HASHLING_BROKER_PASSWORD: 'x', HASHLING_BROKER_URL: 'mqtt://10.0.0.5:1883' } }), /refusing to send a password over plain mqtt/);
  assert.throws(() => loadConfig({ env: { HASHLING_BROKER_URL: 'mqtt://u:p@127.0.0.1:1883' } }), /must not carry credentials/);
});

test('a mistyped HASHLING_ variable of a known section is an error with the closest key; others are not ours', () => {
  assert.throws(() => loadConfig({ env: { HASHLING_BUDGET_TEMP_TARGET: '60' } }), /HASHLING_BUDGET_TEMP_TARGET: not a config variable \(did you mean HASHLING_BUDGET_TEMP_TARGET_C\?\)/);
  assert.doesNotThrow(() => loadConfig({ env: { HASHLING_INSTALL_ROOT: '/x', HASHLING_CONFIG: '' } }));
});

test('an unknown flag is a usage error naming it', () => {
  assert.throws(() => loadConfig({ argv: ['--thread', '1'], env: {} }), (e: HashlingError) => e.code === 'E_USAGE' && /--thread/.test(e.message));
});

test('the config is deep-frozen: a component that changes a value owns its copy', () => {
  const c = loadConfig({ env: {} });
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.budget) && Object.isFrozen(c.budget.schedule) && Object.isFrozen(c.device.groups));
  assert.throws(() => { (c.budget as { power_w: number }).power_w = 9; }, TypeError);
});
