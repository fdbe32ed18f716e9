// Randomized cross-check of every DUCO-S1 kernel against node:crypto: random
// last_hash values and windows (random, across digit-count changes, single nonces,
// beyond the one-block limit of 10^15), each with a share planted at a random
// position or planted just outside, so the whole share set is compared.
import { createHash, randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { algoModule } from '../../kernels/ducoS1/index.ts';
import type { DucoJob } from '../../kernels/types.ts';

const sha1 = (text: string): Buffer => createHash('sha1').update(text).digest();
const r = (n: number): number => Math.floor(Math.random() * n);

/** [start, count] windows of several shapes. */
function windows(): [number, number][] {
  const pow = 10 ** (1 + r(14));
  return [
    [r(1e7), 1 + r(300)],
    [Math.max(0, pow - 1 - r(50)), 2 + r(100)], // crosses a digit-count change
    [r(1e9), 1],
    [0, 1 + r(20)],
    [1e15 - 1 - r(5), 2 + r(8)], // crosses into 16-digit (two-block) nonces
    [r(2 ** 53 - 1e4), 1 + r(50)],
  ];
}

describe('DUCO-S1 kernels against node:crypto', () => {
  for (const kernel of algoModule.kernels) {
    it(`${kernel.name} reports exactly the planted share over random jobs and windows`, () => {
      for (let round = 0; round < 150; round++) {
        const lastHash = randomBytes(20).toString('hex');
        for (const [start, count] of windows()) {
          // Plant inside the window two times in three, else just before or after it.
          const planted = round % 3 ? start + r(count) : (round % 2 && start > 0 ? start - 1 : start + count);
          const job: DucoJob = { algo: 'duco-s1', lastHash, expectedHash: sha1(lastHash + planted) };
          const got: number[] = [];
          kernel.prepare(job).scan(start, count, (n) => got.push(n));
          const want = planted >= start && planted < start + count ? [planted] : [];
          assert.deepEqual(got, want, `${lastHash} window ${start}+${count} planted ${planted}`);
        }
      }
    });
  }

  it('hashAt agrees with node:crypto', () => {
    for (let i = 0; i < 200; i++) {
      const lastHash = randomBytes(20).toString('hex');
      const nonce = r(2 ** 53);
      const job: DucoJob = { algo: 'duco-s1', lastHash, expectedHash: new Uint8Array(20) };
      assert.deepEqual(Buffer.from(algoModule.hashAt(job, nonce)), sha1(lastHash + nonce));
    }
  });
});
