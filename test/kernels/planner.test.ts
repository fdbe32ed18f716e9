// The kernel planner's decisions: CPU identity, cache validity, the timing schedule and
// the choice, with an injected clock and fake kernels whose speed is known exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cpuIdentity, currentPlanKey, DEFAULT_BUDGET, fastest, kernelSetDigest, PLAN_FILE, planKernels, readCachedPlan,
  serialisePlan, SMALL_BUDGET, timeCandidates, type PlanClocks, type PlanKey, type TimedCandidate,
} from '../../kernels/planner.ts';
import type { Kernel } from '../../kernels/types.ts';

const X86 = [0, 1].map((i) => `processor\t: ${i}\nvendor_id\t: AuthenticAMD\ncpu family\t: 26\nmodel\t\t: 2\nmodel name\t: AMD EPYC\nstepping\t: 1\nflags\t\t: fpu sse2 avx2 sha_ni\n`).join('\n');
const A53 = (i: number): string => `processor\t: ${i}\nBogoMIPS\t: 38.40\nFeatures\t: fp asimd evtstrm crc32 cpuid\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0xd03\nCPU revision\t: 4\n`;
const A72 = (i: number): string => A53(i).replace('0xd03', '0xd08');

test('cpuIdentity names the model from /proc/cpuinfo and hashes the feature flags', () => {
  const id = cpuIdentity(X86, ['ignored'], 'x64');
  assert.equal(id.cpu_model, 'vendor_id=AuthenticAMD;model name=AMD EPYC;cpu family=26;model=2;stepping=1');
  assert.match(id.cpu_features, /^[0-9a-f]{16}$/);
  assert.notEqual(cpuIdentity(X86.replaceAll(' sha_ni', ''), [], 'x64').cpu_features, id.cpu_features, 'a missing flag is another CPU');
  assert.notEqual(cpuIdentity(X86.replaceAll('family\t: 26', 'family\t: 25'), [], 'x64').cpu_model, id.cpu_model, 'same name, other family');
});

test('cpuIdentity tells a big.LITTLE board from either of its core types, and falls back to os.cpus() models', () => {
  const little = cpuIdentity([A53(0), A53(1)].join('\n'), [], 'arm64');
  const big = cpuIdentity([A72(0), A72(1)].join('\n'), [], 'arm64');
  const both = cpuIdentity([A53(0), A72(1)].join('\n'), [], 'arm64');
  assert.equal(new Set([little.cpu_model, big.cpu_model, both.cpu_model]).size, 3);
  assert.match(both.cpu_model, /CPU part=0xd03.* \| .*CPU part=0xd08/);
  assert.equal(cpuIdentity(null, ['Apple M1', 'Apple M1'], 'arm64').cpu_model, 'os=Apple M1');
});

const KEY: PlanKey = { arch: 'x64', cpu_model: 'm', cpu_features: '0123456789abcdef', node: 'v20.20.2', v8: '11.3', kernels_digest: 'fedcba9876543210' };
const CANDIDATES = { sha256d: ['k-fast', 'k-slow'], scrypt: ['s-only'] };
const PLAN = {
  sha256d: { kernel: 'k-fast', reason: 'timed' as const, rates_hps: { 'k-fast': 200, 'k-slow': 100 } },
  scrypt: { kernel: 's-only', reason: 'only candidate' as const, rates_hps: { 's-only': 9 } },
};

test('a cached plan under the same key is used, marked cached, rates included', () => {
  const v = readCachedPlan(serialisePlan(KEY, PLAN, 1), KEY, CANDIDATES);
  assert.equal(v.why, null);
  assert.deepEqual(v.plan.sha256d, { kernel: 'k-fast', reason: 'cached', rates_hps: { 'k-fast': 200, 'k-slow': 100 } });
  assert.equal(v.plan.scrypt?.kernel, 's-only');
});

test('a cached plan from another CPU, flags, Node, V8, architecture or kernel set is never used', () => {
  for (const field of Object.keys(KEY) as (keyof PlanKey)[]) {
    const raw = serialisePlan({ ...KEY, [field]: `other-${KEY[field]}` }, PLAN, 1);
    const v = readCachedPlan(raw, KEY, CANDIDATES);
    assert.deepEqual(v.plan, {}, field);
    assert.match(v.why!, new RegExp(`another ${field.replace('_', ' ')}`));
  }
});

test('a cached kernel that is no longer a candidate (failed its self-test) is re-planned; bad files are ignored', () => {
  const v = readCachedPlan(serialisePlan(KEY, PLAN, 1), KEY, { sha256d: ['k-slow'], scrypt: ['s-only'] });
  assert.deepEqual(Object.keys(v.plan), ['scrypt']);
  assert.match(v.why!, /sha256d/);
  assert.match(readCachedPlan(null, KEY, CANDIDATES).why!, /no cached plan/);
  assert.match(readCachedPlan('{not json', KEY, CANDIDATES).why!, /not JSON/);
  assert.match(readCachedPlan('{"v":2}', KEY, CANDIDATES).why!, /unknown format/);
  const badRates = serialisePlan(KEY, { sha256d: { ...PLAN.sha256d, rates_hps: { 'k-fast': -1 } } }, 1);
  assert.deepEqual(readCachedPlan(badRates, KEY, CANDIDATES).plan, {});
});

/** A clock that only moves when a fake kernel hashes: costMs per nonce. */
function fakeWorld(): { clocks: PlanClocks; candidate(name: string, hps: number): TimedCandidate & { hashed: number } } {
  let t = 0;
  return {
    clocks: { wallMs: () => t },
    candidate(name, hps) {
      const c = { name, hashed: 0, scan(_start: number, count: number) { c.hashed += count; t += (count / hps) * 1000; } };
      return c;
    },
  };
}

test('a chunk slowed by other load does not lower a candidate\'s rate: the best chunk counts', () => {
  let t = 0;
  let calls = 0;
  // 2 M/s, but every third chunk loses 5 ms to another process.
  const c: TimedCandidate = { name: 'busy', scan(_s, count) { t += (count / 2e6) * 1000 + (++calls % 3 === 0 ? 5 : 0); } };
  const rates = timeCandidates([c], { wallMs: () => t }, { ...SMALL_BUDGET, finalRounds: 2 });
  assert.equal(rates.busy, 2e6);
});

test('timeCandidates measures each candidate\'s rate and fastest() picks the highest', () => {
  const w = fakeWorld();
  const cands = [w.candidate('a', 3_000_000), w.candidate('b', 5_000_000), w.candidate('c', 4_000_000)];
  const rates = timeCandidates(cands, w.clocks, SMALL_BUDGET);
  assert.deepEqual(rates, { a: 3_000_000, b: 5_000_000, c: 4_000_000 });
  assert.equal(fastest(['a', 'b', 'c'], rates), 'b');
  assert.equal(fastest(['a', 'b'], { a: 7, b: 7 }), 'a', 'a tie keeps the expected order');
});

test('with many candidates only the best of the screen are re-timed, and the whole window stays within its budget', () => {
  const w = fakeWorld();
  const speeds = [1e6, 2e6, 6e6, 3e6, 5e6, 4e6, 0.5e6, 5.5e6, 1.5e6, 2.5e6, 0.2e6];
  const cands = speeds.map((s, i) => w.candidate(`k${i}`, s));
  const t0 = w.clocks.wallMs();
  const rates = timeCandidates(cands, w.clocks, DEFAULT_BUDGET);
  const spent = w.clocks.wallMs() - t0;
  const b = DEFAULT_BUDGET;
  // 6 and 5.5 M/s are within 10 %, not 5 %: no tie-break rounds.
  const planned = cands.length * (b.warmupMs + b.screenRounds * b.sliceMs) + b.finalists * b.finalRounds * b.finalSliceMs;
  // Each slice may overrun by at most its last chunk (< 1/4 of the slice with doubling).
  assert.ok(spent >= planned && spent <= planned * 1.3, `spent ${spent} ms, planned ${planned} ms`);
  assert.equal(fastest(cands.map((c) => c.name), rates), 'k2');
  const hashed = cands.map((c) => c.hashed);
  // The three finalists (6, 5.5, 5 MH/s) got far more time than the rest.
  for (const i of [2, 7, 4]) for (const j of [0, 1, 3, 5, 6, 8, 9, 10]) assert.ok(hashed[i]! / speeds[i]! > 2 * (hashed[j]! / speeds[j]!), `k${i} vs k${j}`);
});

function fakeKernel(name: string, hps: number, world: ReturnType<typeof fakeWorld>, sources: URL[] = []): Kernel & { scans: number } {
  const c = world.candidate(name, hps);
  const k = {
    name, algo: 'sha256d' as const, sources, scans: 0, available: () => true,
    prepare: () => ({ scan(start: number, count: number) { k.scans++; c.scan(start, count); } }),
  };
  return k;
}

test('planKernels times on the first start, caches, serves later starts from the cache, and re-times on force', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hashling-plan-'));
  try {
    const w = fakeWorld();
    const slow = fakeKernel('k-slow', 1e6, w);
    const fast = fakeKernel('k-fast', 2e6, w);
    const opts = { candidates: { sha256d: [slow, fast] }, allKernels: [slow, fast], jobFor: () => ({ algo: 'sha256d' as const, header: new Uint8Array(80), target: new Uint8Array(32) }), stateDir: dir, log: () => {}, clocks: w.clocks };
    const first = planKernels(opts);
    assert.equal(first.plan.sha256d?.kernel, 'k-fast');
    assert.equal(first.plan.sha256d?.reason, 'timed');
    assert.ok(first.planned_ms > 0);
    assert.equal(first.cacheFile, join(dir, PLAN_FILE));
    const doc = JSON.parse(readFileSync(first.cacheFile!, 'utf8'));
    assert.deepEqual(doc.key, currentPlanKey([slow, fast]));
    const scans = slow.scans + fast.scans;
    const second = planKernels(opts);
    assert.equal(second.plan.sha256d?.reason, 'cached');
    assert.equal(second.plan.sha256d?.kernel, 'k-fast');
    assert.equal(second.planned_ms, 0);
    assert.equal(slow.scans + fast.scans, scans, 'a cached start times nothing');
    const forced = planKernels({ ...opts, force: true });
    assert.equal(forced.plan.sha256d?.reason, 'timed');
    assert.ok(slow.scans + fast.scans > scans);
    // A plan written under another Node version is not used.
    writeFileSync(first.cacheFile!, JSON.stringify({ ...doc, key: { ...doc.key, node: 'v18.0.0' }, plan: { sha256d: { kernel: 'k-slow', rates_hps: { 'k-slow': 9e9 } } } }));
    const other = planKernels(opts);
    assert.equal(other.plan.sha256d?.reason, 'timed');
    assert.equal(other.plan.sha256d?.kernel, 'k-fast');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the warm-up is not counted: a candidate whose optimised code arrives during it is timed at its optimised rate', () => {
  let t = 0;
  let hashed = 0;
  // 100 k/s for the first 10 ms of hashing, then 1 M/s (JIT tier-up), inside the 20 ms warm-up.
  const c: TimedCandidate = { name: 'jit', scan(_s, count) { t += (count / (hashed < 1000 ? 1e5 : 1e6)) * 1000; hashed += count; } };
  const rates = timeCandidates([c], { wallMs: () => t }, { ...SMALL_BUDGET, finalRounds: 1 });
  assert.equal(rates.jit, 1e6);
});

test('two finalists within the tie margin get extra rounds, and the faster one wins', () => {
  const w = fakeWorld();
  const a = w.candidate('a', 5.0e6);
  const b = w.candidate('b', 5.1e6);
  const c = w.candidate('c', 3e6);
  const t0 = w.clocks.wallMs();
  const rates = timeCandidates([a, b, c], w.clocks, SMALL_BUDGET);
  const spent = w.clocks.wallMs() - t0;
  const s = SMALL_BUDGET;
  const planned = 3 * s.warmupMs + 3 * s.finalRounds * s.finalSliceMs + 2 * Math.floor(s.tieSlices / 2) * s.finalSliceMs;
  assert.ok(spent >= planned && spent <= planned * 1.3, `spent ${spent} ms, planned ${planned} ms`);
  assert.equal(fastest(['a', 'b', 'c'], rates), 'b');
});

test('every finalist within the tie margin gets the extra rounds, not only the first two: one unlucky stretch does not shut the fastest out', () => {
  let t = 0;
  const clocks = { wallMs: () => t };
  const steady = (name: string, hps: number): TimedCandidate => ({ name, scan(_s, count) { t += (count / hps) * 1000; } });
  const s = SMALL_BUDGET;
  // c is the fastest (5.3 M/s), but its core is disturbed (-7 %) through the warm-up and
  // the final rounds, which puts it third of three within 5 %.
  const finalsEnd = 2 * 3 * (s.warmupMs / 2) + 3 * s.finalRounds * s.finalSliceMs;
  const disturbedUntil = finalsEnd + 8; // slices overrun by up to a chunk (~1 ms) each
  const c: TimedCandidate = { name: 'c', scan(_s, count) { t += (count / (t < disturbedUntil ? 4.95e6 : 5.3e6)) * 1000; } };
  const rates = timeCandidates([steady('a', 5.0e6), steady('b', 5.02e6), c], clocks, s);
  assert.equal(fastest(['a', 'b', 'c'], rates), 'c');
  assert.equal(Math.round(rates.c! / 1e4), 530);
  // The three shared the tie-break slices: the window grew by tieSlices slices, no more.
  const planned = finalsEnd + 3 * Math.floor(s.tieSlices / 3) * s.finalSliceMs;
  assert.ok(t >= planned && t <= planned * 1.1, `spent ${t} ms, planned ${planned} ms`);
});

test('planKernels without a state directory plans every time and writes nothing; one candidate is "only candidate"', () => {
  const w = fakeWorld();
  const only = fakeKernel('k-only', 1e6, w);
  const r = planKernels({ candidates: { sha256d: [only] }, allKernels: [only], jobFor: () => ({ algo: 'sha256d', header: new Uint8Array(80), target: new Uint8Array(32) }), stateDir: '', log: () => {}, clocks: w.clocks });
  assert.deepEqual(r.plan.sha256d, { kernel: 'k-only', reason: 'only candidate', rates_hps: { 'k-only': 1e6 } });
  assert.equal(r.cacheFile, null);
});

test('the kernel-set digest changes with a kernel\'s code, not only its name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hashling-digest-'));
  try {
    const file = join(dir, 'k.wasm');
    writeFileSync(file, 'one');
    const w = fakeWorld();
    const k = fakeKernel('k', 1, w, [new URL(`file://${file}`)]);
    const d1 = kernelSetDigest([k]);
    writeFileSync(file, 'two');
    assert.notEqual(kernelSetDigest([k]), d1);
    assert.ok(existsSync(file));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
