// Kernel benchmark: every available kernel of an algorithm and its naive library
// baselines, side by side in one run (interleaved rounds, medians), on N worker
// threads each; then a checksum over the shares each kernel reports in a fixed
// window, so a fast but broken kernel shows up (as in XMRig's benchmark).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { getAlgoModule } from '../kernels/registry.ts';
import { hexToBytes } from '../kernels/hex.ts';
import type { Algo, Kernel, KernelJob, Scanner } from '../kernels/types.ts';

// The genesis block header with its nonce bytes cleared: any fixed 80 bytes would do.
const BENCH_HEADER = '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d00000000';
const DUCO_LAST_HASH = 'ba29a15896fd2d792d5c4b60668bf2b9feebc51d';

/** Fixed work for the checksum: a window and a target that yields a few hundred shares. */
interface ChecksumPlan { job: KernelJob; start: number; count: number }

function headerJob(algo: 'sha256d' | 'scrypt', topByteHex: string): KernelJob {
  return { algo, header: hexToBytes(BENCH_HEADER), target: hexToBytes(topByteHex.padEnd(64, 'f')) };
}

/** The job timed for an algorithm (shares are rare, as in real mining). */
export function benchJob(algo: Algo): KernelJob {
  if (algo === 'duco-s1') return ducoJob(4_242_424);
  return headerJob(algo, '0000');
}

function ducoJob(answer: number): KernelJob {
  const mod = getAlgoModule('duco-s1')!;
  const draft: KernelJob = { algo: 'duco-s1', lastHash: DUCO_LAST_HASH, expectedHash: new Uint8Array(20) };
  return { ...draft, expectedHash: mod.hashAt(draft, answer) };
}

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

/**
 * CPU time of the calling thread in ms (Linux /proc/thread-self/stat utime+stime, in
 * USER_HZ = 100 ticks), or NaN elsewhere. On a shared machine the wall-clock rate
 * depends on what else runs; hashes per CPU-second of the thread does not.
 */
export function threadCpuMs(): number {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // fields 14 and 15 of proc(5)
  } catch {
    return Number.NaN;
  }
}

/** Scans in chunks sized to ~5 ms until `ms` has elapsed; returns hashes, wall and CPU ms. */
export class TimedScan {
  private chunk = 256;
  private next: number;

  constructor(private readonly scanner: Scanner, firstNonce: number) {
    this.next = firstNonce;
  }

  run(ms: number): WorkerRun {
    const noop = (): void => {};
    const cpu0 = threadCpuMs();
    const t0 = performance.now();
    let hashes = 0;
    let now = t0;
    while (now - t0 < ms) {
      const c0 = now;
      this.scanner.scan(this.next, this.chunk, noop);
      this.next = (this.next + this.chunk) % 0x1_0000_0000;
      if (this.next + this.chunk > 0x1_0000_0000) this.next = 0;
      hashes += this.chunk;
      now = performance.now();
      if (now - c0 < 5 && this.chunk < 1 << 22) this.chunk *= 2;
    }
    return { hashes, ms: now - t0, cpuMs: threadCpuMs() - cpu0 };
  }
}

/**
 * Short in-process benchmark for the agent (one thread, the calling one): hashes/s
 * of `kernel` on the bench job after a warm-up of a quarter of `ms` (JIT tier-up).
 */
export function measureKernel(kernel: Kernel, ms: number): number {
  const timed = new TimedScan(kernel.prepare(benchJob(kernel.algo)), 0);
  timed.run(Math.max(20, ms / 4));
  const r = timed.run(ms);
  return (r.hashes / r.ms) * 1000;
}

export interface BenchOptions {
  algo: Algo;
  threads: number;
  /** Measured seconds per kernel, split over `rounds` interleaved rounds. */
  seconds: number;
  rounds?: number;
  /** Warm-up per kernel and worker before the measured rounds. */
  warmupMs?: number;
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
}

const WORKER_BOOT = new URL('../kernels/workerBoot.js', import.meta.url);
const WORKER_ENTRY = new URL('./kernelWorker.ts', import.meta.url);

export interface WorkerRun { hashes: number; ms: number; cpuMs: number }

class BenchWorker {
  private readonly worker: Worker;
  private pending: { resolve: (r: WorkerRun) => void; reject: (e: Error) => void } | null = null;

  constructor(index: number, algo: Algo) {
    this.worker = new Worker(WORKER_BOOT, { workerData: { entry: WORKER_ENTRY.href, index, algo } });
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
    ...mod.kernels.filter((k) => k.available()).map((k) => ({ k, baseline: false })),
    ...mod.baselines.filter((k) => k.available()).map((k) => ({ k, baseline: true })),
  ];
  const checks = entries.map((e) => mod.checkKernel(e.k));
  const timed = entries.filter((_, i) => checks[i] === null);
  const workers = Array.from({ length: opt.threads }, (_, i) => new BenchWorker(i, opt.algo));
  const samples = new Map<string, number[]>(timed.map((e) => [e.k.name, []]));
  const cpuSamples = new Map<string, number[]>(timed.map((e) => [e.k.name, []]));
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
      hashrate_hps: total, cpu_hps: median(cpuSamples.get(e.k.name) ?? [Number.NaN]), per_thread_hps: total / opt.threads, rounds_hps: rates,
      checksum: sum.checksum, checksum_shares: sum.shares, check: checks[i]!,
    };
  });
  const passed = figures.filter((f) => f.check === null);
  const sums = new Set(passed.map((f) => f.checksum));
  return {
    algo: opt.algo,
    threads: opt.threads,
    figures,
    baseline: mod.baselines[0]?.name ?? '',
    checksum: sums.size === 1 ? [...sums][0]! : null,
    agree: sums.size === 1 && passed.length === figures.length,
  };
}
