// The start-up kernel check in its child process: the self-tested, planned kernels,
// the planner's lines for the agent's log, and one hashing thread booted (or why not).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKernelCheckEarly, takeKernelCheck } from '../../agent/kernelCheckProcess.ts';
import { HASH_WORKER_ENTRY } from '../../agent/pool/workerPool.ts';

test('the check runs in a child process and answers with planned kernels and a booted thread; a second start uses the cached plan', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hashling-kcheck-'));
  try {
    startKernelCheckEarly();
    const r = await takeKernelCheck().ask({ stateDir: dir, workerEntry: HASH_WORKER_ENTRY });
    assert.equal(r.bootError, null, 'a hashing thread boots');
    assert.deepEqual(Object.keys(r.choice.kernels).sort(), ['duco-s1', 'scrypt', 'sha256d']);
    assert.ok(r.choice.planned_ms > 0, 'the first start times the candidates');
    const again = await takeKernelCheck().ask({ stateDir: dir, workerEntry: HASH_WORKER_ENTRY });
    assert.equal(again.choice.planned_ms, 0, 'a later start is served by the cached plan');
    assert.deepEqual(again.choice.kernels, r.choice.kernels);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a hashing-thread entry that cannot load is reported by the check', { timeout: 60_000 }, async () => {
  const broken = new URL('../fixtures/broken/workerThatThrows.ts', import.meta.url).href;
  const r = await takeKernelCheck().ask({ stateDir: '', workerEntry: broken });
  assert.match(r.bootError ?? '', /fails to load on purpose/);
});
