// Randomized cross-check of every sha256d kernel against @noble/hashes and
// node:crypto: thousands of random headers and windows (single nonces, windows ending
// exactly at 0xffffffff, windows crossing the wasm call and pass boundaries) with
// targets easy enough that many shares occur; the exact share sets must match.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listBaselines, listKernels } from '../../kernels/registry.ts';
import type { HeaderJob, Kernel } from '../../kernels/types.ts';
import { nobleHash, prng, randomBytes, referenceShares } from './helpers/sha256dReference.ts';

const SEED = 0x5eed_0003;
const kernels: Kernel[] = [...listKernels('sha256d'), ...listBaselines('sha256d')].filter((k) => k.available());

interface Case { job: HeaderJob; start: number; count: number; want: number[] }

/** Targets from "every nonce" down to about 1 in 2^12, plus ties with a real hash in the window. */
function randomTarget(next: () => number, header: Uint8Array, start: number, count: number): Uint8Array {
  const kind = next() % 6;
  if (kind === 0) return new Uint8Array(32).fill(0xff);
  if (kind === 1) return nobleHash(header, start + (next() % count)); // tie on all 256 bits
  const t = randomBytes(next, 32);
  t[0] = kind === 2 ? t[0]! & 0x7f : kind === 3 ? t[0]! & 0x0f : 0;
  if (kind === 5) t[1] = t[1]! & 0x0f;
  return t;
}

function buildCases(): Case[] {
  const next = prng(SEED);
  const cases: Case[] = [];
  for (let i = 0; i < 2000; i++) {
    const header = randomBytes(next, 80);
    const shape = i % 5;
    const count = shape === 0 ? 1 : 1 + (next() % 24);
    const start = shape === 1 ? 2 ** 32 - count : shape === 2 ? 0 : next() % (2 ** 32 - count + 1);
    const job: HeaderJob = { algo: 'sha256d', header, target: randomTarget(next, header, start, count) };
    cases.push({ job, start, count, want: referenceShares(job, start, count) });
  }
  // Long windows: several wasm calls (1024 passes each), an odd length ending at 2^32.
  for (const [start, count] of [[123_457, 20_011], [2 ** 32 - 9_999, 9_999]] as const) {
    const header = randomBytes(next, 80);
    const target = new Uint8Array(32).fill(0xff);
    target[0] = 0;
    const job: HeaderJob = { algo: 'sha256d', header, target };
    cases.push({ job, start, count, want: referenceShares(job, start, count) });
  }
  return cases;
}

const cases = buildCases();

test('the random cases produce many shares, some ties and windows at 0xffffffff', () => {
  const shares = cases.reduce((n, c) => n + c.want.length, 0);
  assert.ok(shares > 5000, `only ${shares} shares`);
  assert.ok(cases.some((c) => c.start + c.count === 2 ** 32 && c.want.includes(2 ** 32 - 1)));
  assert.ok(cases.filter((c) => c.count === 1).length >= 400);
});

for (const kernel of kernels) {
  test(`${kernel.name} reports exactly the reference shares on ${cases.length} random headers and windows (seed ${SEED})`, () => {
    for (const [i, c] of cases.entries()) {
      const got: number[] = [];
      kernel.prepare(c.job).scan(c.start, c.count, (n) => got.push(n));
      assert.deepEqual(got, c.want, `case ${i}: start ${c.start} count ${c.count}`);
    }
  });

  test(`${kernel.name} scanners of different units can be used alternately`, () => {
    const [a, b] = [cases[3]!, cases[7]!];
    const sa = kernel.prepare(a.job);
    const sb = kernel.prepare(b.job);
    for (let r = 0; r < 2; r++) {
      for (const [s, c] of [[sa, a], [sb, b]] as const) {
        const got: number[] = [];
        s.scan(c.start, c.count, (n) => got.push(n));
        assert.deepEqual(got, c.want);
      }
    }
  });
}

for (const kernel of kernels) {
  test(`${kernel.name} keeps its own unit when onShare scans another unit on the same kernel`, () => {
    const [a, b] = [cases.find((c) => c.want.length > 2)!, cases.find((c) => c.want.length > 0 && c.count > 4)!];
    const other = kernel.prepare(b.job);
    const got: number[] = [];
    kernel.prepare(a.job).scan(a.start, a.count, (n) => {
      got.push(n);
      other.scan(b.start, b.count, () => {});
    });
    assert.deepEqual(got, a.want);
  });
}
