// The engine of `hashling bench`: every available kernel of an algorithm and its naive library
// baselines, side by side in one run (interleaved rounds, medians), on N worker
// threads each; then a checksum over the shares each kernel reports in a fixed
// window, so a fast but broken kernel shows up (as in XMRig's benchmark).
import { createHash } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import { benchJob, ducoJob, headerJob, measureKernel, threadCpuMs, TimedScan, type WorkerRun } from './measure.ts';
import { getAlgoModule } from './registry.ts';
import { besideCaller, startWorker } from './workerEntry.ts';
import type { Algo, Kernel, KernelJob } from './types.ts';
import { runNative, type NativeRun } from './benchmarkNative.ts';

export { benchJob, measureKernel, threadCpuMs, TimedScan, type WorkerRun };

/** Fixed work for the checksum: a window and a target that yields a few hundred shares. */
export interface ChecksumPlan { job: KernelJob; start: number; count: number }

export function checksumPlan(algo: Algo): ChecksumPlan {
  switch (algo) {
    case 'sha256d': return { job: headerJob('sha256d', '00'), start: 0, count: 1 << 16 }; // ~256 shares
    case 'scrypt': return { job: headerJob('scrypt', '0f'), start: 0, count: 512 }; // ~32 shares
    case 'duco-s1': return { job: ducoJob(4242), start: 0, count: 20_000 }; // exactly 1
  }
}

/** sha256 over the share nonces a kernel reports for the checksum window. */
export function kernelChecksum(kernel: Kernel, plan: ChecksumPlan): { checksum: string; shares: number } {
  const shares: number[] = [];
  kernel.prepare(plan.job).scan(plan.start, plan.count, (n) => shares.push(n));
  return { checksum: createHash('sha256').update(shares.join(',')).digest('hex'), shares: shares.length };
}

export interface BenchOptions {
  algo: Algo;
  threads: number;
  /** Measured seconds per kernel, split over `rounds` interleaved rounds. */
  seconds: number;
  rounds?: number;
  /** Warm-up per kernel and worker before the measured rounds. */
  warmupMs?: number;
  /** Kernel names to time (default: every available kernel); baselines always run. */
  kernels?: readonly string[];
  /** A pooler-style native miner run once per round, interleaved with the kernels. */
  native?: { path: string; ms: number };
}

export interface NativeFigure {
  path: string;
  /** Median over rounds of the miner's own reported rate (wall clock, -t 1). */
  hps: number;
  /** Its rate per CPU-second: hps divided by the share of a core it got (median). */
  cpu_hps: number;
  rounds_hps: number[];
  /** Why there is no figure, when there is none. */
  error?: string;
}

export interface KernelFigure {
  algo: Algo;
  kernel: string;
  baseline_of: boolean;
  threads: number;
  /** Median over rounds of the summed (wall-clock) rate of all threads. */
  hashrate_hps: number;
  /** Median over rounds of the summed hashes per CPU-second of each thread (NaN off Linux). */
  cpu_hps: number;
  /** Best chunk (≥ 1 ms) of any thread in any round: one undisturbed core, as the planner rates kernels. */
  core_hps: number;
  per_thread_hps: number;
  rounds_hps: number[];
  checksum: string;
  checksum_shares: number;
  /** checkKernel's verdict (null = pass). */
  check: string | null;
}

export interface BenchResult {
  algo: Algo;
  threads: number;
  figures: KernelFigure[];
  baseline: string;
  checksum: string | null;
  agree: boolean;
  native?: NativeFigure;
}

const WORKER_ENTRY = besideCaller(import.meta.url, './benchmarkWorker');

class BenchWorker {
  private readonly worker: Worker;
  private pending: { resolve: (r: WorkerRun) => void; reject: (e: Error) => void } | null = null;

  constructor(index: number, algo: Algo) {
    this.worker = startWorker(WORKER_ENTRY, { workerData: { index, algo } });
    this.worker.on('message', (r: WorkerRun) => { const p = this.pending; this.pending = null; p?.resolve(r); });
    this.worker.on('error', (e) => { const p = this.pending; this.pending = null; p?.reject(e); });
    this.worker.on('exit', (code) => {
      const p = this.pending;
      this.pending = null;
      p?.reject(new Error(`bench worker exited with code ${code}`));
    });
  }

  run(kernel: string, ms: number): Promise<WorkerRun> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage({ kernel, ms });
    });
  }

  async stop(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Runs the benchmark of one algorithm; throws when the algorithm has no kernels. */
export async function runBench(opt: BenchOptions): Promise<BenchResult> {
  const mod = getAlgoModule(opt.algo);
  if (!mod) throw new Error(`no kernels for ${opt.algo}`);
  const rounds = opt.rounds ?? 5;
  const roundMs = (opt.seconds * 1000) / rounds;
  const entries = [
    ...mod.kernels.filter((k) => k.available() && (!opt.kernels || opt.kernels.includes(k.name))).map((k) => ({ k, baseline: false })),
    ...mod.baselines.filter((k) => k.available()).map((k) => ({ k, baseline: true })),
  ];
  const checks = entries.map((e) => mod.checkKernel(e.k));
  const timed = entries.filter((_, i) => checks[i] === null);
  const workers = Array.from({ length: opt.threads }, (_, i) => new BenchWorker(i, opt.algo));
  const samples = new Map<string, number[]>(timed.map((e) => [e.k.name, []]));
  const cpuSamples = new Map<string, number[]>(timed.map((e) => [e.k.name, []]));
  const bestChunk = new Map<string, number>(timed.map((e) => [e.k.name, 0]));
  const nativeRuns: NativeRun[] = [];
  let nativeError: string | undefined;
  try {
    const warm = opt.warmupMs ?? 500;
    for (const e of timed) await Promise.all(workers.map((w) => w.run(e.k.name, warm)));
    for (let r = 0; r < rounds; r++) {
      // Interleaved: every kernel once per round, so drift in the machine's load or
      // clock hits all kernels alike.
      for (const e of timed) {
        const runs = await Promise.all(workers.map((w) => w.run(e.k.name, roundMs)));
        samples.get(e.k.name)!.push(runs.reduce((s, x) => s + (x.hashes / x.ms) * 1000, 0));
        cpuSamples.get(e.k.name)!.push(runs.reduce((s, x) => s + (x.hashes / x.cpuMs) * 1000, 0));
        bestChunk.set(e.k.name, Math.max(bestChunk.get(e.k.name)!, ...runs.map((x) => x.bestHps)));
      }
      if (opt.native && nativeError === undefined) {
        try {
          nativeRuns.push(await runNative(opt.native.path, opt.native.ms, opt.algo));
        } catch (err) {
          nativeError = (err as Error).message;
        }
      }
    }
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
  const plan = checksumPlan(opt.algo);
  const figures: KernelFigure[] = entries.map((e, i) => {
    const rates = samples.get(e.k.name) ?? [];
    const sum = checks[i] === null ? kernelChecksum(e.k, plan) : { checksum: '', shares: 0 };
    const total = rates.length ? median(rates) : 0;
    return {
      algo: opt.algo, kernel: e.k.name, baseline_of: e.baseline, threads: opt.threads,
      hashrate_hps: total, cpu_hps: median(cpuSamples.get(e.k.name) ?? [Number.NaN]), core_hps: bestChunk.get(e.k.name) ?? 0, per_thread_hps: total / opt.threads, rounds_hps: rates,
      checksum: sum.checksum, checksum_shares: sum.shares, check: checks[i]!,
    };
  });
  const passed = figures.filter((f) => f.check === null);
  const sums = new Set(passed.map((f) => f.checksum));
  let native: NativeFigure | undefined;
  if (opt.native) {
    native = nativeRuns.length
      ? {
        path: opt.native.path, hps: median(nativeRuns.map((n) => n.hps)), rounds_hps: nativeRuns.map((n) => Math.round(n.hps)),
        cpu_hps: median(nativeRuns.map((n) => (Number.isFinite(n.cpu_share) && n.cpu_share > 0 ? n.hps / n.cpu_share : n.hps))),
      }
      : { path: opt.native.path, hps: 0, cpu_hps: 0, rounds_hps: [], error: nativeError ?? 'no run' };
  }
  return {
    native,
    algo: opt.algo,
    threads: opt.threads,
    figures,
    baseline: mod.baselines[0]?.name ?? '',
    checksum: sums.size === 1 ? [...sums][0]! : null,
    agree: sums.size === 1 && passed.length === figures.length,
  };
}
