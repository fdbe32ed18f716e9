import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../config/load.ts';
import { selectConfig } from '../../../agent/commands/configEdit.ts';
import { persistConfigPatch, realFileOps, restoreConfigFile } from '../../../agent/commands/configFile.ts';
import type { HashlingError } from '../../../protocol/errors.ts';

const config = loadConfig({ argv: [], env: {}, overrides: { device: { id: 'dev-1' }, broker: { password: 's3cret' } } });

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

test('a change that cannot be applied is rolled back to the exact bytes of the file before', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hashling-cfg-'));
  const file = join(dir, 'agent.json');
  const before = '{ "budget": { "power_w": 4 } }\n';
  writeFileSync(file, before);
  const previous = persistConfigPatch(file, { 'hashing.threads': 1 });
  assert.notEqual(readFileSync(file, 'utf8'), before);
  restoreConfigFile(file, previous);
  assert.equal(readFileSync(file, 'utf8'), before);
  assert.deepEqual(readdirSync(dir), ['agent.json']);
});
