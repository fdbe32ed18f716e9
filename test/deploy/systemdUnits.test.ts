// The systemd units must pass `systemd-analyze verify` and keep the
// properties the deploy kit promises; the verify step needs systemd-analyze.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hasTool, run } from './tools.ts';

const UNITS = ['hashling-agent.service', 'hashling-coordinator.service'].map((u) => fileURLToPath(new URL(`../../deploy/systemd/${u}`, import.meta.url)));

test('both units pass systemd-analyze verify', { skip: hasTool('systemd-analyze') ? false : 'systemd-analyze is not installed here' }, () => {
  const r = run('systemd-analyze', ['verify', ...UNITS]);
  assert.equal(r.status, 0, r.out);
  assert.equal(r.out.trim(), '', `verify printed warnings:\n${r.out}`);
});

test('the agent unit yields the CPU, runs as hashling with video access, and keeps V8 alive', () => {
  const agent = readFileSync(UNITS[0]!, 'utf8');
  for (const line of ['User=hashling', 'SupplementaryGroups=video', 'Nice=19', 'CPUSchedulingPolicy=idle', 'Restart=on-failure', 'StateDirectory=hashling', 'ConfigurationDirectory=hashling', 'NoNewPrivileges=yes']) {
    assert.match(agent, new RegExp(`^${line}$`, 'm'), line);
  }
  assert.match(agent, /^ReadOnlyPaths=.*\/sys/m);
  for (const unit of UNITS) assert.doesNotMatch(readFileSync(unit, 'utf8'), /^MemoryDenyWriteExecute/m, 'V8 needs W+X pages');
});
