// The pool as the agent runs it on a device (LEAN_POOL): no hashing thread while
// there is no work, threads started by the first unit and stopped again after
// idleStopMs without one, exact counts across every sleep and wake.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { WorkerPool } from '../../../agent/pool/workerPool.ts';
import { getAlgoModule, selectKernel } from '../../../kernels/registry.ts';
import type { HeaderJob } from '../../../kernels/types.ts';

const EASY = new Uint8Array(32).fill(0xff);
EASY[0] = 0x00;
EASY[1] = 0x3f;

function job(): HeaderJob {
  return { algo: 'sha256d', header: new Uint8Array(randomBytes(80)), target: EASY };
}

function referenceShares(j: HeaderJob, start: number, count: number): number[] {
  const mod = getAlgoModule('sha256d')!;
  const out: number[] = [];
  for (let n = start; n < start + count; n++) if (mod.isShare(j, mod.hashAt(j, n))) out.push(n);
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(20);
  }
}

describe('WorkerPool with idleStopMs', { timeout: 60_000 }, () => {
  const kernel = () => selectKernel('sha256d')!.name;

  test('starts no thread before the first unit and stops them idleStopMs after the last', async () => {
    const pool = new WorkerPool({ threads: 2, batchMs: 10, idleStopMs: 300 });
    await pool.start();
    try {
      assert.equal(pool.liveThreads, 0);
      assert.equal(pool.threads, 2, 'reports the threads it will run');
      const j = job();
      const shares: number[] = [];
      const out = await pool.run({ kernel: kernel(), job: j, start: 0, total: 20_000 }, (n) => shares.push(n));
      assert.deepEqual(out, { status: 'done', hashes: 20_000 });
      assert.deepEqual(shares.sort((a, b) => a - b), referenceShares(j, 0, 20_000));
      assert.equal(pool.liveThreads, 2);
      await waitFor(() => pool.liveThreads === 0, 3000);
      assert.equal(pool.threads, 2);

      // The next unit wakes the threads again, with the same exact accounting.
      const j2 = job();
      const shares2: number[] = [];
      const out2 = await pool.run({ kernel: kernel(), job: j2, start: 5000, total: 15_000 }, (n) => shares2.push(n));
      assert.deepEqual(out2, { status: 'done', hashes: 15_000 });
      assert.deepEqual(shares2.sort((a, b) => a - b), referenceShares(j2, 5000, 15_000));
    } finally {
      await pool.stop();
    }
  });

  test('a unit arriving before idleStopMs runs on the threads already there', async () => {
    const pool = new WorkerPool({ threads: 1, batchMs: 10, idleStopMs: 5000 });
    await pool.start();
    try {
      await pool.run({ kernel: kernel(), job: job(), start: 0, total: 2000 }, () => {});
      assert.equal(pool.liveThreads, 1);
      await sleep(200);
      await pool.run({ kernel: kernel(), job: job(), start: 0, total: 2000 }, () => {});
      assert.equal(pool.liveThreads, 1);
    } finally {
      await pool.stop();
    }
  });

  test('setThreads while asleep changes how many threads the next unit starts', async () => {
    const pool = new WorkerPool({ threads: 1, batchMs: 10, idleStopMs: 200, maxThreads: 3 });
    await pool.start();
    try {
      await pool.setThreads(3);
      assert.equal(pool.threads, 3);
      assert.equal(pool.liveThreads, 0);
      pool.setLevel(3, 100);
      const out = await pool.run({ kernel: kernel(), job: job(), start: 0, total: 30_000 }, () => {});
      assert.deepEqual(out, { status: 'done', hashes: 30_000 });
      assert.equal(pool.liveThreads, 3);
    } finally {
      await pool.stop();
    }
  });

  test('a cancel while the threads are still starting settles cancelled with no hash counted', async () => {
    const pool = new WorkerPool({ threads: 2, batchMs: 10, idleStopMs: 200 });
    await pool.start();
    try {
      const running = pool.run({ kernel: kernel(), job: job(), start: 0, total: 2 ** 31 }, () => {});
      pool.cancel();
      assert.deepEqual(await running, { status: 'cancelled', hashes: 0 });
      // The pool is usable afterwards.
      const out = await pool.run({ kernel: kernel(), job: job(), start: 0, total: 1000 }, () => {});
      assert.deepEqual(out, { status: 'done', hashes: 1000 });
    } finally {
      await pool.stop();
    }
  });
});
