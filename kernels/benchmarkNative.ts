// The native reference for `hashling bench --native PATH`: a pooler-style CPU miner
// (pooler/cpuminer's `minerd`, or one with the same benchmark output) run as
// `PATH --benchmark -a sha256d -t 1` for a bounded time, so a user sees how far the
// JS/WASM kernels are from C on their own board. Its rate is what it prints per scan:
//   [2026-01-01 12:00:00] thread 0: 2097152 hashes, 9640 khash/s
//   [2026-01-01 12:00:00] Total: 9640 khash/s
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface NativeSample {
  kind: 'thread' | 'total';
  thread?: number;
  hashes?: number;
  /** Hashes per second (wall clock, as the miner measured its scan). */
  hps: number;
}

const UNITS: Record<string, number> = { hash: 1, khash: 1e3, mhash: 1e6, ghash: 1e9 };

/** One line of miner output: a per-thread or total hash rate, or null. */
export function parseNativeLine(line: string): NativeSample | null {
  const thread = /thread (\d+): (\d+) hashes, ([\d.]+) ([kMG]?hash)\/s/i.exec(line);
  if (thread) {
    return { kind: 'thread', thread: Number(thread[1]), hashes: Number(thread[2]), hps: Number(thread[3]) * UNITS[thread[4]!.toLowerCase()]! };
  }
  const total = /Total: ([\d.]+) ([kMG]?hash)\/s/i.exec(line);
  if (total) return { kind: 'total', hps: Number(total[1]) * UNITS[total[2]!.toLowerCase()]! };
  return null;
}

/**
 * The rate of one run from its output: the median of its Total lines (thread lines where
 * there are none), leaving out the first report, which pooler makes after a short fixed
 * first scan (0x1fffff nonces for sha256d) that still includes start-up. Null without any report.
 */
export function nativeRateFromOutput(text: string): { hps: number; reports: number } | null {
  const samples = text.split(/\r?\n/).map(parseNativeLine).filter((s): s is NativeSample => s !== null);
  const totals = samples.filter((s) => s.kind === 'total');
  const use = totals.length > 0 ? totals : samples.filter((s) => s.kind === 'thread');
  if (use.length === 0) return null;
  const steady = use.length > 1 ? use.slice(1) : use;
  const sorted = steady.map((s) => s.hps).sort((a, b) => a - b);
  const m = sorted.length >> 1;
  return { hps: sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2, reports: steady.length };
}

/** CPU seconds (utime + stime, USER_HZ = 100) of a live process, or NaN. */
function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

export interface NativeRun {
  hps: number;
  reports: number;
  /** The miner's CPU time over its wall time (1 = it had a core to itself). */
  cpu_share: number;
}

/**
 * Runs the miner for `ms`, then stops it (SIGTERM, SIGKILL 2 s later). Rejects when it
 * cannot be started or printed no rate. `-s 1` (scan time 1 s) makes it report every
 * second instead of every 5 s, so short runs still give several reports.
 */
export function runNative(path: string, ms: number, algo = 'sha256d'): Promise<NativeRun> {
  return new Promise((resolve, reject) => {
    let out = '';
    const child = spawn(path, ['--benchmark', '-a', algo, '-t', '1', '-s', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    const t0 = performance.now();
    let cpuMs = Number.NaN;
    let wallMs = 0;
    const stop = setTimeout(() => {
      cpuMs = processCpuMs(child.pid!);
      wallMs = performance.now() - t0;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 2000).unref();
    }, ms);
    child.on('error', (err) => {
      clearTimeout(stop);
      reject(new Error(`cannot run native miner ${path}: ${err.message}`));
    });
    child.on('close', () => {
      clearTimeout(stop);
      const r = nativeRateFromOutput(out);
      if (!r) {
        reject(new Error(`native miner ${path} printed no hash rate (is it a pooler-style miner?): ${out.trim().split('\n').slice(-2).join(' / ').slice(0, 200)}`));
        return;
      }
      const share = Number.isFinite(cpuMs) && wallMs > 0 ? Math.min(1, cpuMs / wallMs) : Number.NaN;
      resolve({ ...r, cpu_share: share });
    });
  });
}
