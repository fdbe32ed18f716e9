// The worker pool with real threads and the real sha256d kernel.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { WorkerPool } from '../../../agent/pool/workerPool.ts';
import { getAlgoModule, selectKernel } from '../../../kernels/registry.ts';
import type { HeaderJob } from '../../../kernels/types.ts';

const EASY = new Uint8Array(32).fill(0xff);
EASY[0] = 0x00;
EASY[1] = 0x3f; // about 1 share per 1024 nonces

function job(): HeaderJob {
  return { algo: 'sha256d', header: new Uint8Array(randomBytes(80)), target: EASY };
}

/** Shares of [start, start+count) by the reference implementation. */
function referenceShares(j: HeaderJob, start: number, count: number): number[] {
  const mod = getAlgoModule('sha256d')!;
  const out: number[] = [];
  for (let n = start; n < start + count; n++) if (mod.isShare(j, mod.hashAt(j, n))) out.push(n);
  return out;
}

describe('WorkerPool', { timeout: 60_000 }, () => {
  let pool: WorkerPool;
  const kernel = () => selectKernel('sha256d')!.name;
  before(async () => {
    pool = new WorkerPool({ threads: 2, batchMs: 10 });
    await pool.start();
  });
  after(async () => pool.stop());

  test('hashes every nonce exactly once and reports every share once', async () => {
    const j = job();
    const shares: number[] = [];
    let counted = 0;
    const onHashes = (n: number) => { counted += n; };
    pool.on('hashes', onHashes);
    const out = await pool.run({ kernel: kernel(), job: j, start: 1000, total: 30_000 }, (n) => shares.push(n));
    // run() settles on the shared DONE counter; the other thread's progress message may trail it.
    await new Promise((r) => setTimeout(r, 100));
    pool.off('hashes', onHashes);
    assert.deepEqual(out, { status: 'done', hashes: 30_000 });
    assert.equal(counted, 30_000);
    assert.deepEqual(shares.sort((a, b) => a - b), referenceShares(j, 1000, 30_000));
  });

  test('a single-nonce unit is done with one hash', async () => {
    const out = await pool.run({ kernel: kernel(), job: job(), start: 0xffffffff, total: 1 }, () => {});
    assert.deepEqual(out, { status: 'done', hashes: 1 });
  });

  test('cancel stops a huge unit within 100 ms and reports the hashes done', async () => {
    const p = pool.run({ kernel: kernel(), job: job(), start: 0, total: 2 ** 32 }, () => {});
    await new Promise((r) => setTimeout(r, 300));
    const t0 = performance.now();
    pool.cancel();
    const out = await p;
    assert.equal(out.status, 'cancelled');
    assert.ok(out.hashes > 0 && out.hashes < 2 ** 32);
    assert.ok(performance.now() - t0 < 100);
    // The threads are free again: the next unit completes.
    assert.equal((await pool.run({ kernel: kernel(), job: job(), start: 0, total: 5000 }, () => {})).status, 'done');
  });

  test('level 0 parks every thread; raising it resumes the unit', async () => {
    pool.setLevel(0, 100);
    // Let batches of the previous unit still in flight report before counting.
    await new Promise((r) => setTimeout(r, 100));
    let hashes = 0;
    const onHashes = (n: number) => { hashes += n; };
    pool.on('hashes', onHashes);
    const p = pool.run({ kernel: kernel(), job: job(), start: 0, total: 200_000 }, () => {});
    await new Promise((r) => setTimeout(r, 400));
    const whileParked = hashes;
    pool.setLevel(1.5, 100);
    const out = await p;
    pool.off('hashes', onHashes);
    pool.setLevel(2, 100);
    assert.equal(whileParked, 0);
    assert.deepEqual(out, { status: 'done', hashes: 200_000 });
  });

  test('a thread that crashes mid-batch is replaced and its batch re-run: exact count, no share lost or doubled', async () => {
    const j = job();
    const shares: number[] = [];
    const crashes: string[] = [];
    const onCrash = (_k: number, m: string) => crashes.push(m);
    pool.on('crash', onCrash);
    // Armed before the unit: thread 0 dies right after its first claim, mid-batch.
    pool.crashForTest(0);
    await new Promise((r) => setTimeout(r, 50));
    const out = await pool.run({ kernel: kernel(), job: j, start: 0, total: 400_000 }, (n) => shares.push(n));
    pool.off('crash', onCrash);
    assert.equal(crashes.length, 1);
    assert.match(crashes[0], /crash requested/);
    assert.deepEqual(out, { status: 'done', hashes: 400_000 });
    assert.deepEqual(shares.sort((a, b) => a - b), referenceShares(j, 0, 400_000));
    assert.equal(pool.threads, 2);
  });
});
