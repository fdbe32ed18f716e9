// The kernel benchmark: figures for every kernel and baseline, worker threads, and a
// checksum that tells a broken kernel from a fast one. (Speed itself is measured by
// `npm run bench`, never asserted in a test.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checksumPlan, kernelChecksum, measureKernel, runBench } from '../../kernels/benchmark.ts';
import { benchCommand } from '../../cli/bench.ts';
import { findKernel, listBaselines, listKernels } from '../../kernels/registry.ts';
import type { Kernel } from '../../kernels/types.ts';

test('runBench times every sha256d kernel and baseline on 2 threads and their checksums agree', async () => {
  const r = await runBench({ algo: 'sha256d', threads: 2, seconds: 0.2, rounds: 2, warmupMs: 30 });
  const names = [...listKernels('sha256d'), ...listBaselines('sha256d')].filter((k) => k.available()).map((k) => k.name);
  assert.deepEqual(r.figures.map((f) => f.kernel), names);
  assert.equal(r.baseline, 'sha256d-noble-naive');
  for (const f of r.figures) {
    assert.equal(f.check, null);
    assert.equal(f.threads, 2);
    assert.equal(f.rounds_hps.length, 2);
    assert.ok(f.hashrate_hps > 0);
    assert.equal(f.per_thread_hps, f.hashrate_hps / 2);
    assert.equal(f.checksum, r.checksum);
  }
  assert.equal(r.agree, true);
  assert.ok(r.figures[0]!.checksum_shares > 100);
});

test('a kernel that loses shares gets a different checksum', () => {
  const good = findKernel('sha256d-js-nested')!;
  const lossy: Kernel = {
    ...good,
    name: 'lossy',
    prepare: (job) => {
      const s = good.prepare(job);
      return { scan: (start, count, onShare) => s.scan(start, count, (n) => { if (n % 7 !== 0) onShare(n); }) };
    },
  };
  const plan = checksumPlan('sha256d');
  assert.notEqual(kernelChecksum(lossy, plan).checksum, kernelChecksum(good, plan).checksum);
});

test('measureKernel returns a positive hashes/s figure on the calling thread', () => {
  assert.ok(measureKernel(findKernel('sha256d-js-nested')!, 40) > 1000);
});

test('benchCommand rejects bad options with exit code 64 (EX_USAGE) and prints JSON lines with the documented fields', async () => {
  const err = process.stderr.write;
  process.stderr.write = () => true;
  try {
    assert.equal(await benchCommand(['--algo', 'md5']), 64);
    assert.equal(await benchCommand(['--threads', '0']), 64);
    assert.equal(await benchCommand(['--seconds']), 64);
    assert.equal(await benchCommand(['--thread', '1']), 64);
  } finally {
    process.stderr.write = err;
  }
  const lines: string[] = [];
  const code = await benchCommand(['--algo', 'sha256d', '--threads', '1', '--seconds', '0.1', '--json'],
    (t) => lines.push(...t.split('\n').filter(Boolean)));
  assert.equal(code, 0);
  const rows = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const last = rows.pop()!;
  assert.equal(last.kernels_agree, true);
  assert.ok(rows.length >= 4);
  for (const row of rows) {
    for (const key of ['algo', 'kernel', 'threads', 'hashrate_hps', 'baseline_hps', 'ratio', 'checksum']) assert.ok(key in row, key);
    assert.equal(row.checksum, last.checksum);
  }
});

test('bench --checksums prints every available kernel\'s checksum and their agreement, without timing', async () => {
  const { benchCommand } = await import('../../cli/bench.ts');
  let out = '';
  const code = await benchCommand(['--all', '--checksums', '--json'], (t) => { out += t; });
  assert.equal(code, 0);
  const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { algo: string; kernel?: string; checksum: string | null; kernels_agree?: boolean });
  for (const algo of ['sha256d', 'scrypt', 'duco-s1']) {
    const plan = checksumPlan(algo as 'sha256d');
    const perKernel = lines.filter((l) => l.algo === algo && l.kernel);
    assert.ok(perKernel.length >= 1, algo);
    for (const l of perKernel) assert.equal(l.checksum, kernelChecksum(findKernel(l.kernel!)!, plan).checksum, l.kernel);
    assert.deepEqual(lines.find((l) => l.algo === algo && !l.kernel), { algo, checksum: perKernel[0]!.checksum, kernels_agree: true });
  }
});
