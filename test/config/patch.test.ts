// Changing a running config (config/set, budget/set, threads/set): one
// validator with the load rules, a whitelist of remotely writable keys, all or nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../config/load.ts';
import { applyConfigPatch, normalizePatch, remoteKeys } from '../../config/patch.ts';

const host = { cores: 2 };
const config = loadConfig({ env: {}, overrides: { device: { id: 'dev-1' }, broker: { password: 's3cret' }, hashing: { threads: 2 } }, host });
const problemsOf = (patch: Record<string, unknown>) => {
  const r = applyConfigPatch(config, patch, { remote: true, host });
  return r.ok ? [] : r.problems;
};

test('nested and dotted patches normalize to dotted keys; bad shapes are listed', () => {
  assert.deepEqual(normalizePatch({ budget: { temp_target_c: 60 }, 'hashing.threads': 2 }), { patch: { 'budget.temp_target_c': 60, 'hashing.threads': 2 }, problems: [] });
  assert.deepEqual(normalizePatch({ nosuch: { a: 1 }, budget: 5 }).problems.length, 2);
  assert.deepEqual(normalizePatch({}).problems, ['no keys to set']);
  assert.deepEqual(normalizePatch(JSON.parse('{"__proto__":{"a":1}}') as Record<string, unknown>).problems.length, 1);
});

test('every problem of a patch is listed, with the same formats and rules as the config file', () => {
  const table: [Record<string, unknown>, RegExp[]][] = [
    [{ 'budget.temp_target_c': 65 }, []],
    [{ 'budget.temp_target_c': 500 }, [/^budget\.temp_target_c: must be a number within \[0, 125\]/]],
    [{ 'budget.temp_target_c': 85 }, [/temp_cutoff_c \(80\) must be above budget\.temp_target_c \(85\)/]],
    [{ 'hashing.threads': 0, 'nope.key': 1, 'budget.max_cpu_percent': 'lots' },
      [/^nope\.key: unknown key/, /^hashing\.threads: must be an integer/, /^budget\.max_cpu_percent: must be a number/]],
    [{ 'hashing.threads': 64 }, [/hashing\.threads \(64\) must not exceed the 2 cores/]],
    [{ 'budget.schedule': [{ from: '25:00', to: '01:00' }] }, [/^budget\.schedule:/]],
    [{ 'budget.__proto__': 1, 'budget.toString': 1, 'budget.constructor': 1 }, [/^budget\.__proto__: unknown key/, /^budget\.toString: unknown key/, /^budget\.constructor: unknown key/]],
    [{ 'telemetry.interval_s': 3e6 }, [/^telemetry\.interval_s: must be a number within/]],
    [{ 'budget.interval_ms': 3e9 }, [/^budget\.interval_ms: must be an integer within/]],
  ];
  for (const [patch, want] of table) {
    const got = problemsOf(patch);
    assert.equal(got.length, want.length, `${JSON.stringify(patch)} → ${JSON.stringify(got)}`);
    for (const re of want) assert.ok(got.some((p) => re.test(p)), `${re} in ${JSON.stringify(got)}`);
  }
});

test('whom the device talks to, what it trusts and what it runs is never writable over MQTT', () => {
  const locked = ['broker.url', 'broker.ca', 'broker.cert', 'broker.key', 'broker.password', 'broker.password_file', 'broker.username', 'broker.allow_insecure',
    'mqtt.base_topic', 'device.id', 'device.groups', 'work.coordinator_public_key', 'sensors.sysfs_root', 'sensors.vcgencmd_path', 'health.state_dir', 'config.writable'];
  for (const key of locked) {
    const got = problemsOf({ [key]: '' });
    assert.equal(got.length, 1, key);
    assert.match(got[0], new RegExp(`^${key.replace('.', '\\.')}: not settable over MQTT`));
    assert.ok(!remoteKeys().includes(key), key);
  }
  assert.ok(remoteKeys().includes('budget.temp_target_c') && remoteKeys().includes('hashing.threads'));
});

test('a valid patch returns a new frozen config and leaves the old one as it was', () => {
  const r = applyConfigPatch(config, { 'budget.temp_target_c': 61, 'hashing.threads': 1 }, { remote: true, host });
  assert.ok(r.ok);
  assert.deepEqual(r.changed, ['budget.temp_target_c', 'hashing.threads']);
  assert.equal(r.config.budget.temp_target_c, 61);
  assert.equal(config.budget.temp_target_c, 70);
  assert.ok(Object.isFrozen(r.config.budget));
});
