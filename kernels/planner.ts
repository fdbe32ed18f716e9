// The kernel planner: on a device's first start, times every candidate kernel of an
// algorithm for a short bounded window and keeps the fastest (FFTW's "wisdom", XMRig's
// per-CPU code paths), because a form tuned on one core loses on another
// (docs/performance.md). The choice is cached in the state directory under a key of
// CPU identity, Node/V8 version and a digest of the kernels' code, so later starts skip
// the timing; a cache written under any other key is ignored, never trusted.
//
// The decisions (cache validity, timing schedule, choice) are pure and take injected
// clocks; planKernels() at the bottom binds them to the real clocks and files.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { Algo, Kernel, KernelJob } from './types.ts';

export type PlanReason = 'timed' | 'cached' | 'only candidate';

export interface AlgoPlan {
  kernel: string;
  reason: PlanReason;
  /** Hashes per second of one thread on an undisturbed core (best ~1 ms chunk), per candidate, as timed or cached. */
  rates_hps: Record<string, number>;
}

export type KernelPlan = Partial<Record<Algo, AlgoPlan>>;

export interface PlanKey {
  arch: string;
  /** Distinct CPU model descriptions (x86 model name/family/model/stepping; ARM implementer/part). */
  cpu_model: string;
  /** sha256 (16 hex) of the sorted union of CPU feature flags. */
  cpu_features: string;
  node: string;
  v8: string;
  /** sha256 (16 hex) over every kernel's name and code (see kernelSetDigest). */
  kernels_digest: string;
}

export const PLAN_FILE = 'kernel-plan.json';

// --- CPU identity -----------------------------------------------------------------

const MODEL_KEYS = ['vendor_id', 'model name', 'cpu family', 'model', 'stepping', 'CPU implementer', 'CPU architecture', 'CPU variant', 'CPU part', 'CPU revision', 'Hardware', 'Model', 'cpu'];
const FEATURE_KEYS = ['flags', 'Features', 'features'];

function hash16(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/**
 * CPU identity from /proc/cpuinfo text (null where there is none: os.cpus() models then).
 * Every processor block counts, so a big.LITTLE board (Cortex-A53 + A72) differs from
 * either core alone.
 */
export function cpuIdentity(cpuinfo: string | null, cpuModels: readonly string[], arch: string): Pick<PlanKey, 'arch' | 'cpu_model' | 'cpu_features'> {
  const models = new Set<string>();
  const features = new Set<string>();
  for (const block of (cpuinfo ?? '').split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of block.split('\n')) {
      const i = line.indexOf(':');
      if (i > 0) fields.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
    }
    const desc = MODEL_KEYS.filter((k) => fields.has(k)).map((k) => `${k}=${fields.get(k)}`).join(';');
    if (desc) models.add(desc);
    for (const k of FEATURE_KEYS) for (const f of (fields.get(k) ?? '').split(/\s+/)) if (f) features.add(f);
  }
  if (models.size === 0) for (const m of cpuModels) models.add(`os=${m}`);
  return { arch, cpu_model: [...models].sort().join(' | '), cpu_features: hash16([...features].sort().join(' ')) };
}

/** Digest over each algorithm's kernels: names and the bytes of their code files. */
export function kernelSetDigest(kernels: readonly Kernel[], read: (u: URL) => Uint8Array = (u) => readFileSync(u)): string {
  const h = createHash('sha256');
  for (const k of kernels) {
    h.update(`${k.algo}/${k.name}\n`);
    for (const src of k.sources ?? []) h.update(read(src));
  }
  return h.digest('hex').slice(0, 16);
}

export function currentPlanKey(kernels: readonly Kernel[]): PlanKey {
  let cpuinfo: string | null = null;
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    // not Linux: os.cpus() models
  }
  return {
    ...cpuIdentity(cpuinfo, cpus().map((c) => c.model), process.arch),
    node: process.version,
    v8: process.versions.v8,
    kernels_digest: kernelSetDigest(kernels),
  };
}

// --- cache ------------------------------------------------------------------------

export interface CacheVerdict {
  /** The cached plan restricted to algorithms whose cached kernel is still a candidate. */
  plan: KernelPlan;
  /** Why nothing (or not everything) was taken from the cache; null when all of it was. */
  why: string | null;
}

/**
 * What a cache file may contribute: nothing unless its key equals `key` field by field,
 * and per algorithm only a kernel that is among today's candidates (passed the self-test).
 */
export function readCachedPlan(raw: string | null, key: PlanKey, candidates: Partial<Record<Algo, readonly string[]>>): CacheVerdict {
  if (raw === null) return { plan: {}, why: 'no cached plan' };
  let doc: { v?: unknown; key?: Record<string, unknown>; plan?: Record<string, { kernel?: unknown; rates_hps?: unknown }> };
  try {
    doc = JSON.parse(raw);
  } catch {
    return { plan: {}, why: 'cached plan is not JSON' };
  }
  if (doc?.v !== 1 || typeof doc.key !== 'object' || doc.key === null || typeof doc.plan !== 'object' || doc.plan === null) {
    return { plan: {}, why: 'cached plan has an unknown format' };
  }
  for (const k of Object.keys(key) as (keyof PlanKey)[]) {
    if (doc.key[k] !== key[k]) return { plan: {}, why: `cached plan is for another ${k.replace('_', ' ')} (${String(doc.key[k])})` };
  }
  const plan: KernelPlan = {};
  const missing: string[] = [];
  for (const [algo, names] of Object.entries(candidates) as [Algo, readonly string[]][]) {
    const c = doc.plan[algo];
    const rates = c?.rates_hps;
    const ratesOk = typeof rates === 'object' && rates !== null && Object.values(rates).every((r) => typeof r === 'number' && Number.isFinite(r) && r >= 0);
    if (typeof c?.kernel === 'string' && names.includes(c.kernel) && ratesOk) {
      plan[algo] = { kernel: c.kernel, reason: 'cached', rates_hps: { ...(rates as Record<string, number>) } };
    } else missing.push(algo);
  }
  return { plan, why: missing.length ? `no usable cached choice for ${missing.join(', ')}` : null };
}

export function serialisePlan(key: PlanKey, plan: KernelPlan, plannedAtMs: number): string {
  const out: Record<string, { kernel: string; rates_hps: Record<string, number> }> = {};
  for (const [algo, p] of Object.entries(plan)) out[algo] = { kernel: p.kernel, rates_hps: p.rates_hps };
  return `${JSON.stringify({ v: 1, key, planned_at: plannedAtMs, plan: out }, null, 2)}\n`;
}

// --- timing -----------------------------------------------------------------------

export interface PlanClocks {
  /** Monotonic clock, ms (performance.now()): bounds every slice and times every chunk. */
  wallMs(): number;
}

export interface TimingBudget {
  /**
   * Warm-up per candidate, not counted: compilation and JIT tier-up (a wasm function is
   * TurboFan-compiled in ~10-25 ms after its first calls here; a 60 KB plain-JS function
   * takes far longer, so a JS-only plan gets a longer warm-up).
   */
  warmupMs: number;
  /** Screening: every candidate, interleaved rounds of sliceMs. */
  screenRounds: number;
  sliceMs: number;
  /** The best `finalists` of the screen are re-timed in finalRounds interleaved rounds of finalSliceMs. */
  finalists: number;
  finalRounds: number;
  finalSliceMs: number;
  /**
   * Every finalist that ends within tieMargin of the best gets more interleaved rounds:
   * tieSlices slices of finalSliceMs shared among them (2 close: 6 rounds each; 3: 4).
   * A close call is where a busy machine misleads most, and a candidate left out of the
   * tie-break because one unlucky round put it third cannot win it back.
   */
  tieMargin: number;
  tieSlices: number;
}

/**
 * sha256d has nine WebAssembly candidates: 9 × (16 + 2 × 8) + 3 × 4 × 16 = 480 ms, plus
 * 12 × 16 = 192 ms when two or three finalists end within 5 %. One or two candidates (scrypt,
 * DUCO-S1) skip the screen: 16 + 3 × 16 = 64 ms each (+128 ms for a close pair). The warm-up
 * mostly absorbs the synchronous TurboFan compile of each module's first call (1-26 ms).
 * With 2-3 % between
 * the top sha256d forms on a Zen 5 core, the final rounds are what keeps the choice within
 * a few per cent of a long interleaved bench (docs/performance.md).
 */
export const DEFAULT_BUDGET: TimingBudget = { warmupMs: 16, screenRounds: 2, sliceMs: 8, finalists: 3, finalRounds: 4, finalSliceMs: 16, tieMargin: 0.05, tieSlices: 12 };
export const SMALL_BUDGET: TimingBudget = { warmupMs: 16, screenRounds: 0, sliceMs: 8, finalists: 3, finalRounds: 3, finalSliceMs: 16, tieMargin: 0.05, tieSlices: 8 };

/** What the timing loop runs: a scanner already prepared on a job where shares are rare. */
export interface TimedCandidate {
  name: string;
  scan(start: number, count: number): void;
}

/** Chunks are grown to about this long: short enough that many run without being preempted. */
const CHUNK_MS = 1;
/** Chunks shorter than this are not rated (clock granularity, call overhead). */
const MIN_RATED_MS = 0.25;

class Runner {
  private next = 0;
  private chunk = 4;

  constructor(readonly c: TimedCandidate, private readonly clocks: PlanClocks) {}

  /**
   * Scans in ~1 ms chunks until `ms` passed and returns the best chunk's rate. On a busy
   * machine most chunks lose time to other processes, a few run undisturbed: the best one
   * is the candidate's speed on a core of its own. (Per-thread CPU time would be the other
   * way, but Linux's per-thread counters lag by up to a scheduler tick, ±25 % on a 16 ms
   * slice: measured, a candidate reading 9.9 M/s against its real ~6.)
   */
  slice(ms: number): number {
    const { wallMs } = this.clocks;
    const w0 = wallMs();
    let best = 0;
    let now = w0;
    while (now - w0 < ms) {
      const t = now;
      this.c.scan(this.next, this.chunk);
      this.next = (this.next + this.chunk) % 0x1_0000_0000;
      if (this.next + this.chunk > 0x1_0000_0000) this.next = 0;
      now = wallMs();
      const took = now - t;
      if (took >= MIN_RATED_MS) best = Math.max(best, (this.chunk / took) * 1000);
      if (took < CHUNK_MS / 2 && this.chunk < 1 << 22) this.chunk *= 2;
    }
    return best;
  }
}

/**
 * Times candidates as the budget says (interleaved rounds, so a change in machine load
 * hits all alike) and returns each one's rate: the best of its final rounds for the
 * finalists, of its screening rounds for the others. The best, not the median: what other
 * load does (preemption, a hypervisor's steal, shared caches) only ever lowers a chunk's
 * rate, never raises it.
 */
export function timeCandidates(candidates: readonly TimedCandidate[], clocks: PlanClocks, budget: TimingBudget): Record<string, number> {
  const runners = candidates.map((c) => new Runner(c, clocks));
  // Two warm-up passes: the first call of each module triggers its optimising compile in
  // a background thread, which on a busy 2-core device may finish only while the other
  // candidates warm up; the second pass runs each once more after that.
  for (let pass = 0; pass < 2; pass++) for (const r of runners) r.slice(budget.warmupMs / 2);
  const rates = new Map<Runner, number>();
  let finalists = runners;
  if (runners.length > budget.finalists && budget.screenRounds > 0) {
    const screen = new Map<Runner, number[]>(runners.map((r) => [r, []]));
    for (let round = 0; round < budget.screenRounds; round++) for (const r of runners) screen.get(r)!.push(r.slice(budget.sliceMs));
    for (const [r, xs] of screen) rates.set(r, Math.max(...xs));
    finalists = [...runners].sort((p, q) => rates.get(q)! - rates.get(p)!).slice(0, budget.finalists);
  }
  const final = new Map<Runner, number[]>(finalists.map((r) => [r, []]));
  for (let round = 0; round < budget.finalRounds; round++) for (const r of finalists) final.get(r)!.push(r.slice(budget.finalSliceMs));
  for (const [r, xs] of final) rates.set(r, Math.max(...xs));
  const top = Math.max(...finalists.map((r) => rates.get(r)!));
  const close = finalists.filter((r) => top - rates.get(r)! < budget.tieMargin * top);
  if (close.length > 1) {
    const rounds = Math.floor(budget.tieSlices / close.length);
    for (let round = 0; round < rounds; round++) {
      for (const r of close) rates.set(r, Math.max(rates.get(r)!, r.slice(budget.finalSliceMs)));
    }
  }
  const out: Record<string, number> = {};
  for (const r of runners) out[r.c.name] = Math.round(rates.get(r)!);
  return out;
}

/** The fastest by rate; ties go to the earlier candidate (the registry's expected order). */
export function fastest(names: readonly string[], rates: Record<string, number>): string {
  let best = names[0]!;
  for (const n of names) if ((rates[n] ?? 0) > (rates[best] ?? 0)) best = n;
  return best;
}

// --- the real thing ---------------------------------------------------------------

export const REAL_CLOCKS: PlanClocks = { wallMs: () => performance.now() };

export interface PlanOptions {
  /** Candidates per algorithm: available kernels that passed the self-test, expected-fastest first. */
  candidates: Partial<Record<Algo, readonly Kernel[]>>;
  /** Every kernel of every algorithm (the digest covers the whole set). */
  allKernels: readonly Kernel[];
  /** The job each algorithm is timed on (shares rare, as in mining). */
  jobFor(algo: Algo): KernelJob;
  /** health.state_dir; empty = no cache (plan at every start). */
  stateDir: string;
  /** Ignore the cache and re-time (`hashling selftest --replan`, the selftest verb with replan). */
  force?: boolean;
  log(line: string): void;
  clocks?: PlanClocks;
  budgets?: (algo: Algo, candidates: number) => TimingBudget;
}

export interface PlanResult {
  plan: KernelPlan;
  /** Wall time spent timing kernels (0 when everything came from the cache). */
  planned_ms: number;
  /** The cache file written, if any. */
  cacheFile: string | null;
}

export function planKernels(opt: PlanOptions): PlanResult {
  const clocks = opt.clocks ?? REAL_CLOCKS;
  const budgetFor = opt.budgets ?? ((_algo: Algo, n: number) => (n > SMALL_BUDGET.finalists ? DEFAULT_BUDGET : SMALL_BUDGET));
  const names: Partial<Record<Algo, string[]>> = {};
  for (const [algo, ks] of Object.entries(opt.candidates) as [Algo, readonly Kernel[]][]) if (ks.length) names[algo] = ks.map((k) => k.name);
  const key = currentPlanKey(opt.allKernels);
  const file = opt.stateDir ? join(opt.stateDir, PLAN_FILE) : null;
  let cached: CacheVerdict = { plan: {}, why: file ? 'replan requested' : 'no state directory (health.state_dir)' };
  if (file && !opt.force) {
    let raw: string | null = null;
    try {
      raw = readFileSync(file, 'utf8');
    } catch {
      // first start
    }
    cached = readCachedPlan(raw, key, names);
  }
  const plan: KernelPlan = { ...cached.plan };
  const t0 = clocks.wallMs();
  let timed = false;
  for (const [algo, ks] of Object.entries(opt.candidates) as [Algo, readonly Kernel[]][]) {
    if (plan[algo] || ks.length === 0) continue;
    const job = opt.jobFor(algo);
    const noop = (): void => {};
    const cands: TimedCandidate[] = ks.map((k) => {
      const s = k.prepare(job);
      return { name: k.name, scan: (start, count) => s.scan(start, count, noop) };
    });
    // One candidate is still timed once: its rate is the device's benchmark estimate.
    const budget = ks.length === 1 ? { ...SMALL_BUDGET, finalRounds: 2 } : budgetFor(algo, ks.length);
    const rates = timeCandidates(cands, clocks, budget);
    const kernel = fastest(names[algo]!, rates);
    plan[algo] = { kernel, reason: ks.length === 1 ? 'only candidate' : 'timed', rates_hps: rates };
    timed = true;
  }
  const plannedMs = timed ? Math.round(clocks.wallMs() - t0) : 0;
  if (timed) opt.log(`kernel plan timed in ${plannedMs} ms (${cached.why ?? 'cache incomplete'}): ${describePlan(plan)}`);
  else opt.log(`kernel plan from ${file}: ${describePlan(plan)}`);
  let written: string | null = null;
  if (file && timed) {
    try {
      mkdirSync(opt.stateDir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, serialisePlan(key, plan, Date.now()));
      renameSync(tmp, file);
      written = file;
    } catch (err) {
      opt.log(`kernel plan not cached: cannot write ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }
  return { plan, planned_ms: plannedMs, cacheFile: written };
}

export function describePlan(plan: KernelPlan): string {
  return Object.entries(plan).map(([algo, p]) => `${algo}=${p.kernel} (${p.reason}, ${(p.rates_hps[p.kernel]! / 1e6).toFixed(3)} MH/s per core)`).join(', ');
}
