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
  const c = loadConfig({ argv: ['--config', file, '--device-id', 'from-flag'], env: { HASHLING_DEVICE_ID: 'from-env', HASHLING_HASHING_THREADS: '5' } });
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
