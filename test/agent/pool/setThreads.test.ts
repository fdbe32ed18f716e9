// threads/set: the pool changes its thread count under a running unit and still
// hashes every nonce exactly once.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { WorkerPool } from '../../../agent/pool/workerPool.ts';
import { getAlgoModule, selectKernel } from '../../../kernels/registry.ts';
import type { HeaderJob } from '../../../kernels/types.ts';

const EASY = new Uint8Array(32).fill(0xff);
EASY[0] = 0x00;
EASY[1] = 0x3f;

function referenceShares(j: HeaderJob, start: number, count: number): number[] {
  const mod = getAlgoModule('sha256d')!;
  const out: number[] = [];
  for (let n = start; n < start + count; n++) if (mod.isShare(j, mod.hashAt(j, n))) out.push(n);
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('WorkerPool.setThreads', { timeout: 90_000 }, () => {
  test('shrinking and growing under a running unit keeps the exact count and every share', async () => {
    const pool = new WorkerPool({ threads: 2, batchMs: 10, maxThreads: 3 });
    await pool.start();
    try {
      // A rare-share target so each reported share can be re-checked cheaply.
      const target = new Uint8Array(32).fill(0xff);
      target[0] = 0; target[1] = 0;
      const j: HeaderJob = { algo: 'sha256d', header: new Uint8Array(randomBytes(80)), target };
      const shares: number[] = [];
      let counted = 0;
      let settled = false;
      pool.on('hashes', (n: number) => { counted += n; });
      const total = 2 ** 24;
      const p = pool.run({ kernel: selectKernel('sha256d')!.name, job: j, start: 7, total }, (n) => shares.push(n)).finally(() => { settled = true; });
      await sleep(150);
      await pool.setThreads(1);
      assert.equal(pool.threads, 1);
      assert.equal(settled, false, 'the unit was still running when the threads changed');
      await sleep(150);
      await pool.setThreads(3);
      pool.setLevel(3, 100);
      assert.equal(pool.threads, 3);
      assert.equal(settled, false);
      const out = await p;
      await sleep(100);
      assert.deepEqual(out, { status: 'done', hashes: total });
      assert.equal(counted, total);
      const mod = getAlgoModule('sha256d')!;
      assert.equal(new Set(shares).size, shares.length, 'no share reported twice');
      for (const n of shares) assert.ok(n >= 7 && n < 7 + total && mod.isShare(j, mod.hashAt(j, n)));
      assert.ok(shares.length > 100, `about 256 shares expected, got ${shares.length}`);
    } finally {
      await pool.stop();
    }
  });

  test('every share of a small unit is found across a shrink', async () => {
    const pool = new WorkerPool({ threads: 2, batchMs: 5 });
    await pool.start();
    try {
      const j: HeaderJob = { algo: 'sha256d', header: new Uint8Array(randomBytes(80)), target: EASY };
      const shares: number[] = [];
      pool.setLevel(0.6, 50); // slow enough that the shrink lands mid-unit
      const p = pool.run({ kernel: selectKernel('sha256d')!.name, job: j, start: 0, total: 200_000 }, (n) => shares.push(n));
      await sleep(30);
      await pool.setThreads(1);
      pool.setLevel(1, 50);
      assert.deepEqual(await p, { status: 'done', hashes: 200_000 });
      assert.deepEqual(shares.sort((a, b) => a - b), referenceShares(j, 0, 200_000));
    } finally {
      await pool.stop();
    }
  });

  test('a cancel while threads retire still settles with the hashes done', async () => {
    const pool = new WorkerPool({ threads: 2, batchMs: 10 });
    await pool.start();
    try {
      const hashing = new Promise((r) => pool.once('hashes', r));
      const p = pool.run({ kernel: selectKernel('sha256d')!.name, job: { algo: 'sha256d', header: new Uint8Array(80), target: new Uint8Array(32) }, start: 0, total: 2 ** 32 }, () => {});
      // Hashing has begun (a fixed wait is too short on a loaded machine).
      await hashing;
      await sleep(100);
      const shrink = pool.setThreads(1);
      pool.cancel();
      await shrink;
      const out = await p;
      assert.equal(out.status, 'cancelled');
      assert.ok(out.hashes > 0);
      // The remaining thread takes the next unit.
      assert.deepEqual(await pool.run({ kernel: selectKernel('sha256d')!.name, job: { algo: 'sha256d', header: new Uint8Array(80), target: new Uint8Array(32) }, start: 0, total: 3000 }, () => {}), { status: 'done', hashes: 3000 });
    } finally {
      await pool.stop();
    }
  });

  test('an out-of-range count is refused and changes nothing', async () => {
    const pool = new WorkerPool({ threads: 1, batchMs: 10, maxThreads: 2 });
    await pool.start();
    try {
      await assert.rejects(pool.setThreads(3), RangeError);
      await assert.rejects(pool.setThreads(0), RangeError);
      assert.equal(pool.threads, 1);
    } finally {
      await pool.stop();
    }
  });
});
