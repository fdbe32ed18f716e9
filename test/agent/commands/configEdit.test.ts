import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../config/load.ts';
import { configPatchProblems, normalizePatch, selectConfig, splitLive } from '../../../agent/commands/configEdit.ts';
import { persistConfigPatch, realFileOps } from '../../../agent/commands/configFile.ts';
import type { HashlingError } from '../../../protocol/errors.ts';

const config = loadConfig({ argv: [], env: {}, overrides: { device: { id: 'dev-1' }, broker: { password: 's3cret' } } });

test('nested and dotted patches normalize to dotted keys; bad shapes are listed', () => {
  assert.deepEqual(normalizePatch({ budget: { temp_target_c: 60 }, 'hashing.threads': 2 }), { patch: { 'budget.temp_target_c': 60, 'hashing.threads': 2 }, problems: [] });
  assert.deepEqual(normalizePatch({ nosuch: { a: 1 }, budget: 5 }).problems.length, 2);
  assert.deepEqual(normalizePatch({}).problems, ['no keys to set']);
});

test('every problem of a patch is listed, from the same schema as the config file', () => {
  const table: [Record<string, unknown>, RegExp[]][] = [
    [{ 'budget.temp_target_c': 65 }, []],
    [{ 'budget.temp_target_c': 500 }, [/^budget\.temp_target_c: must be a temperature/]],
    [{ 'budget.temp_target_c': 85 }, [/temp_cutoff_c \(80\) must be above budget\.temp_target_c \(85\)/]],
    [{ 'hashing.threads': 0, 'broker.url': 'ftp://x', 'nope.key': 1, 'budget.max_cpu_percent': 'lots' },
      [/^nope\.key: unknown key/, /^broker\.url: scheme/, /^hashing\.threads: must be an integer/, /^budget\.max_cpu_percent: must be a percentage/]],
    [{ 'device.groups': ['a', 'b'] }, []],
    [{ 'device.groups': ['bad group'] }, [/^device\.groups:/]],
    [{ 'device.id': 'all' }, [/reserved/]],
    [{ 'budget.schedule': [{ from: '25:00', to: '01:00' }] }, [/^budget\.schedule:/]],
    [{ 'config.writable': true, 'work.coordinator_public_key': '', 'broker.ca': '' }, [/^config\.writable: not settable over MQTT/, /^work\.coordinator_public_key: not settable/, /^broker\.ca: not settable/]],
  ];
  for (const [patch, want] of table) {
    const got = configPatchProblems(config, patch);
    assert.equal(got.length, want.length, `${JSON.stringify(patch)} → ${JSON.stringify(got)}`);
    for (const re of want) assert.ok(got.some((p) => re.test(p)), `${re} in ${JSON.stringify(got)}`);
  }
});

test('budget, threads and command limits apply live; connection settings need a restart', () => {
  assert.deepEqual(splitLive({ 'budget.power_w': 5, 'hashing.threads': 1, 'commands.burst': 3, 'broker.url': 'mqtt://x:1', 'device.groups': [], 'telemetry.interval_s': 5 }),
    { live: ['budget.power_w', 'hashing.threads', 'commands.burst'], restart: ['broker.url', 'device.groups', 'telemetry.interval_s'] });
});

test('config/get redacts secrets and selects sections or keys', () => {
  const all = selectConfig(config, undefined).config as Record<string, Record<string, unknown>>;
  assert.equal(all.broker.password, '[redacted]');
  assert.deepEqual(selectConfig(config, ['budget.temp_target_c', 'device']).config, { 'budget.temp_target_c': 70, device: config.device });
  assert.deepEqual(selectConfig(config, ['x.y']).problems, ['x.y: unknown key']);
});

test('persisting writes only the patched keys into the file, atomically', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hashling-cfg-'));
  const file = join(dir, 'agent.json');
  writeFileSync(file, JSON.stringify({ device: { id: 'dev-1' }, budget: { power_w: 4 } }));
  persistConfigPatch(file, { 'budget.temp_target_c': 60, 'hashing.threads': 2 });
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { device: { id: 'dev-1' }, budget: { power_w: 4, temp_target_c: 60 }, hashing: { threads: 2 } });
  assert.deepEqual(readdirSync(dir), ['agent.json'], 'no temp file left');
  // The file loads as a config file again.
  assert.equal(loadConfig({ argv: ['--config', file], env: {} }).budget.temp_target_c, 60);
});

test('a full disk leaves the old file untouched and no temp file behind', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hashling-cfg-'));
  const file = join(dir, 'agent.json');
  const before = JSON.stringify({ budget: { power_w: 4 } });
  writeFileSync(file, before);
  const full = {
    ...realFileOps,
    writeFileSynced(path: string, text: string) {
      writeFileSync(path, text.slice(0, 5)); // part of it reached the disk
      throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    },
  };
  assert.throws(() => persistConfigPatch(file, { 'budget.power_w': 9 }, full), (e: HashlingError) => e.code === 'E_CONFIG' && /ENOSPC; nothing changed/.test(e.message));
  assert.equal(readFileSync(file, 'utf8'), before);
  assert.deepEqual(readdirSync(dir), ['agent.json']);
});
