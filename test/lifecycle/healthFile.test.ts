// The status file behind `hashling health`: atomic writes, failures reported
// once and survived, and the verdict table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { HealthFile, judgeHealth } from '../../lifecycle/healthFile.ts';
import { BIN } from '../helpers/agentProcess.ts';

test('the status file is written whole (no temp file left) and removed on stop', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hashling-health-'));
  const h = new HealthFile({ dir, role: 'agent', intervalMs: 60_000, log: () => {}, snapshot: () => ({ connected: true, detail: { mode: 'idle' } }) });
  await h.start();
  await h.tick();
  const body = JSON.parse(readFileSync(h.path, 'utf8'));
  assert.equal(body.connected, true);
  assert.equal(body.mode, 'idle');
  assert.equal(body.pid, process.pid);
  assert.deepEqual(readdirSync(dir), ['health-agent.json']);
  const r = spawnSync(process.execPath, [BIN, 'health'], { env: { ...process.env, HASHLING_HEALTH_STATE_DIR: dir }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^healthy: agent running, connected/);
  await h.stop();
  assert.ok(!existsSync(h.path));
  const gone = spawnSync(process.execPath, [BIN, 'health'], { env: { ...process.env, HASHLING_HEALTH_STATE_DIR: dir }, encoding: 'utf8' });
  assert.equal(gone.status, 1);
});

test('a full disk is logged once per error code and the writer keeps trying', async () => {
  const lines: string[] = [];
  let calls = 0;
  const h = new HealthFile({
    dir: '/nonexistent', role: 'agent', intervalMs: 60_000, log: (l) => lines.push(l), snapshot: () => ({ connected: true, detail: {} }),
    write: async () => { calls++; throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }); },
  });
  for (let i = 0; i < 3; i++) await h.tick();
  assert.equal(calls, 3);
  assert.equal(h.failures, 3);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /ENOSPC/);
});

test('health verdicts: fresh and connected, stale, dead process, long outage, short outage', () => {
  const now = 1_000_000;
  const file = (o: object) => JSON.stringify({ v: 1, pid: 1, ts: now - 1000, interval_s: 10, started_ts: now - 600_000, ...o });
  const alive = () => true;
  assert.equal(judgeHealth(file({ connected: true }), now, 300, alive).healthy, true);
  assert.match(judgeHealth(file({ connected: true, ts: now - 31_000 }), now, 300, alive).reason, /31 s old/);
  assert.match(judgeHealth(file({ connected: true }), now, 300, () => false).reason, /gone/);
  assert.equal(judgeHealth(file({ connected: false, last_connected_ts: now - 400_000 }), now, 300, alive).healthy, false);
  assert.equal(judgeHealth(file({ connected: false, last_connected_ts: now - 20_000 }), now, 300, alive).healthy, true);
  assert.equal(judgeHealth('{"v":1', now, 300, alive).healthy, false);
});
