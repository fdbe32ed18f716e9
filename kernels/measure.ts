// Timing a kernel on the calling thread: the bench job, a chunked scan that
// measures wall and CPU time, and the short measurement the agent runs at start
// and for the `bench` command. bench/ builds its side-by-side runs on these.
import { readFileSync } from 'node:fs';
import { getAlgoModule } from './registry.ts';
import { hexToBytes } from './hex.ts';
import type { Algo, Kernel, KernelJob, Scanner } from './types.ts';

// The genesis block header with its nonce bytes cleared: any fixed 80 bytes would do.
const BENCH_HEADER = '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d00000000';
const DUCO_LAST_HASH = 'ba29a15896fd2d792d5c4b60668bf2b9feebc51d';

export function headerJob(algo: 'sha256d' | 'scrypt', topByteHex: string): KernelJob {
  return { algo, header: hexToBytes(BENCH_HEADER), target: hexToBytes(topByteHex.padEnd(64, 'f')) };
}

/** The job timed for an algorithm (shares are rare, as in real mining). */
export function benchJob(algo: Algo): KernelJob {
  if (algo === 'duco-s1') return ducoJob(4_242_424);
  return headerJob(algo, '0000');
}

export function ducoJob(answer: number): KernelJob {
  const mod = getAlgoModule('duco-s1')!;
  const draft: KernelJob = { algo: 'duco-s1', lastHash: DUCO_LAST_HASH, expectedHash: new Uint8Array(20) };
  return { ...draft, expectedHash: mod.hashAt(draft, answer) };
}

/**
 * Hashes, wall-clock ms and CPU ms of one timed run; bestHps: its best chunk (≥ 1 ms),
 * i.e. the rate on an undisturbed core (kernels/planner.ts rates kernels the same way).
 */
export interface WorkerRun { hashes: number; ms: number; cpuMs: number; bestHps: number }

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
    let best = 0;
    let now = t0;
    while (now - t0 < ms) {
      const c0 = now;
      this.scanner.scan(this.next, this.chunk, noop);
      this.next = (this.next + this.chunk) % 0x1_0000_0000;
      if (this.next + this.chunk > 0x1_0000_0000) this.next = 0;
      hashes += this.chunk;
      now = performance.now();
      if (now - c0 >= 1) best = Math.max(best, (this.chunk / (now - c0)) * 1000);
      if (now - c0 < 5 && this.chunk < 1 << 22) this.chunk *= 2;
    }
    return { hashes, ms: now - t0, cpuMs: threadCpuMs() - cpu0, bestHps: best };
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

