// The native reference of `hashling bench --native PATH`: the parser of pooler-style
// benchmark output (on sample lines written for this test, in that format), the
// runner's process handling, and what bench prints with and without a native miner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nativeRateFromOutput, parseNativeLine, runNative } from '../../kernels/benchmarkNative.ts';
import { benchCommand } from '../../cli/bench.ts';
import { SHA256D_VARIANTS } from '../../kernels/sha256d/variants.ts';

const SAMPLE = new URL('../fixtures/nativeMiner/poolerBenchmark.txt', import.meta.url);

test('parseNativeLine reads per-thread and total rates in pooler\'s format, in any hash unit', () => {
  assert.deepEqual(parseNativeLine('[2026-03-14 09:00:01] thread 0: 9765625 hashes, 9766 khash/s'), { kind: 'thread', thread: 0, hashes: 9765625, hps: 9_766_000 });
  assert.deepEqual(parseNativeLine('[2026-03-14 09:00:01] Total: 9766 khash/s'), { kind: 'total', hps: 9_766_000 });
  assert.deepEqual(parseNativeLine('[2026-03-14 09:00:01] thread 1: 4096 hashes, 17.25 khash/s'), { kind: 'thread', thread: 1, hashes: 4096, hps: 17_250 });
  assert.equal(parseNativeLine('[2026-03-14 09:00:01] Total: 1.5 Mhash/s')?.hps, 1_500_000);
  assert.equal(parseNativeLine('[2026-03-14 09:00:00] 1 miner threads started, using \'sha256d\' algorithm.'), null);
  assert.equal(parseNativeLine(''), null);
});

test('nativeRateFromOutput leaves out the first report and takes the median of the Total lines', () => {
  assert.deepEqual(nativeRateFromOutput(readFileSync(SAMPLE, 'utf8')), { hps: 9_766_000, reports: 3 });
  const threadsOnly = readFileSync(SAMPLE, 'utf8').split('\n').filter((l) => !l.includes('Total')).join('\n');
  assert.deepEqual(nativeRateFromOutput(threadsOnly), { hps: 9_766_000, reports: 3 });
  assert.deepEqual(nativeRateFromOutput('[x] thread 0: 100 hashes, 5 khash/s'), { hps: 5000, reports: 1 });
  assert.equal(nativeRateFromOutput('minerd: unknown option\n'), null);
});

/** A stand-in executable that prints the sample and then runs until stopped. */
function fakeMiner(dir: string, body: string): string {
  const path = join(dir, 'minerd');
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

test('runNative runs the miner for a bounded time, stops it, and reports its rate', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hashling-native-'));
  try {
    const t0 = performance.now();
    const r = await runNative(fakeMiner(dir, `cat '${fileURLToPath(SAMPLE)}' >&2; exec sleep 30`), 300);
    assert.ok(performance.now() - t0 < 5000);
    assert.equal(r.hps, 9_766_000);
    assert.equal(r.reports, 3);
    await assert.rejects(runNative(fakeMiner(dir, 'echo "usage: minerd [OPTIONS]"'), 300), /printed no hash rate/);
    await assert.rejects(runNative(join(dir, 'missing'), 300), /cannot run native miner/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function bench(args: string[]): Promise<{ code: number; text: string }> {
  let text = '';
  const code = await benchCommand(args, (t) => { text += t; });
  return { code, text };
}

test('bench says when no native miner is given or it cannot run, and still shows the baselines', async () => {
  const none = await bench(['--algo', 'sha256d', '--seconds', '0.1', '--rounds', '1']);
  assert.equal(none.code, 0);
  assert.match(none.text, /native: no native miner given/);
  assert.match(none.text, /sha256d-node-createhash .*\(baseline\)/);
  assert.match(none.text, /planner's choice of \d+/);
  const missing = await bench(['--algo', 'sha256d', '--seconds', '0.1', '--rounds', '1', '--native', '/nonexistent/minerd']);
  assert.equal(missing.code, 0);
  assert.match(missing.text, /native: cannot run native miner \/nonexistent\/minerd/);
  assert.match(missing.text, /sha256d-noble-naive .*\(baseline\)/);
});

test('bench --native prints each kernel\'s per-core ratio to the miner; --variants --json lists every variant', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hashling-native-'));
  try {
    const miner = fakeMiner(dir, `cat '${fileURLToPath(SAMPLE)}' >&2; exec sleep 30`);
    const lines: string[] = [];
    const code = await benchCommand(['--algo', 'sha256d', '--seconds', '0.1', '--rounds', '1', '--variants', '--json', '--native', miner], (t) => lines.push(...t.split('\n').filter(Boolean)));
    assert.equal(code, 0);
    const rows = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const last = rows.pop()!;
    assert.equal((last.native as { hashrate_hps: number }).hashrate_hps, 9_766_000);
    for (const v of SHA256D_VARIANTS) assert.ok(rows.some((r) => r.kernel === v.name), v.name);
    for (const r of rows) {
      const expect = (r.per_thread_hps as number) / 9_766_000;
      assert.ok(Math.abs((r.native_ratio_wall as number) - expect) < 0.002, `${r.kernel}: ${r.native_ratio_wall} vs ${expect}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
