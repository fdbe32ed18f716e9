// Randomized cross-check of every scrypt kernel against node:crypto's scrypt and
// @noble/hashes (via hashAt): random headers and windows, windows ending exactly at
// 0xFFFFFFFF, single-nonce windows, with loose targets so shares occur and whole
// share sets are compared. Sized for a few seconds: a reference scrypt costs ~0.4 ms.
import { randomBytes, scryptSync } from 'node:crypto';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { algoModule } from '../../kernels/scrypt/index.ts';
import type { HeaderJob } from '../../kernels/types.ts';

function referenceShares(job: HeaderJob, start: number, count: number): number[] {
  const h = Buffer.from(job.header);
  const out: number[] = [];
  for (let n = start; n < start + count; n++) {
    h.writeUInt32LE(n, 76);
    const digest = scryptSync(h, h, 32, { N: 1024, r: 1, p: 1 }).reverse();
    if (Buffer.compare(digest, Buffer.from(job.target)) <= 0) out.push(n);
  }
  return out;
}

function randomJob(): HeaderJob {
  const target = new Uint8Array(32).fill(0xff);
  target[0] = 0x10 + randomBytes(1)[0]! % 0xe0; // 1 share in 16 .. nearly all
  target[1] = randomBytes(1)[0]!;
  return { algo: 'scrypt', header: randomBytes(80), target };
}

/** [start, count] windows: random, ending at 0xFFFFFFFF, single nonces. */
function windows(): [number, number][] {
  const r = (n: number): number => Math.floor(Math.random() * n);
  return [[r(2 ** 32 - 16), 1 + r(9)], [2 ** 32 - 1 - r(6), 0], [r(2 ** 32), 1], [2 ** 32 - 1, 1], [0, 2]]
    .map(([s, c]) => (c === 0 ? [s!, 2 ** 32 - s!] : [s!, c!]) as [number, number]);
}

describe('scrypt kernels against node:crypto and @noble/hashes', () => {
  for (const kernel of algoModule.kernels) {
    it(`${kernel.name} reports exactly the reference shares over random headers and windows`, () => {
      let shares = 0;
      for (let round = 0; round < 8; round++) {
        const job = randomJob();
        const scanner = kernel.prepare(job);
        for (const [start, count] of windows()) {
          const got: number[] = [];
          scanner.scan(start, count, (n) => got.push(n));
          assert.deepEqual(got, referenceShares(job, start, count), `header ${Buffer.from(job.header).toString('hex')} window ${start}+${count}`);
          shares += got.length;
        }
      }
      assert.ok(shares > 10, `too few shares (${shares}) to compare`);
    });
  }

  it('scanners of different units used in turn on one thread each report their own unit\'s shares', () => {
    // The WebAssembly kernel keeps a unit's constants (header words, key midstate, K)
    // in the thread's one module instance; switching scanners must reload them.
    for (const kernel of algoModule.kernels) {
      const jobs = [randomJob(), randomJob(), randomJob()];
      const scanners = jobs.map((job) => kernel.prepare(job));
      const start = Math.floor(Math.random() * (2 ** 32 - 64));
      for (let round = 0; round < 2; round++) {
        jobs.forEach((job, i) => {
          const got: number[] = [];
          const s = start + 8 * (round * jobs.length + i);
          scanners[i]!.scan(s, 6, (n) => got.push(n));
          assert.deepEqual(got, referenceShares(job, s, 6), `${kernel.name}, unit ${i}, round ${round}`);
        });
      }
    }
  });

  it('hashAt (@noble/hashes) agrees with node:crypto and isShare with the byte compare', () => {
    for (let i = 0; i < 20; i++) {
      const job = randomJob();
      const nonce = Math.floor(Math.random() * 2 ** 32);
      const h = Buffer.from(job.header);
      h.writeUInt32LE(nonce, 76);
      const ref = scryptSync(h, h, 32, { N: 1024, r: 1, p: 1 }).reverse();
      const digest = algoModule.hashAt(job, nonce);
      assert.deepEqual(Buffer.from(digest), ref);
      assert.equal(algoModule.isShare(job, digest), Buffer.compare(ref, Buffer.from(job.target)) <= 0);
    }
  });
});
