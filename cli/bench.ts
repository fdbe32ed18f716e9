// `hashling bench [--algo sha256d|scrypt|duco-s1] [--threads N[,M...]] [--seconds S] [--json] [--all]`
// Prints per-thread and total hashes/s of every kernel beside the naive baselines,
// and a checksum line per algorithm. Exit code 1 when a kernel fails its check or
// the kernels' checksums disagree.
import { runBench, type BenchResult } from '../kernels/benchmark.ts';
import { listAlgos } from '../kernels/registry.ts';
import { ALGOS, type Algo } from '../kernels/types.ts';
import { EXIT } from '../lifecycle/exitCodes.ts';
import { HashlingError } from '../protocol/errors.ts';
import { choiceOption, numberOption, runCommand, type CommandSpec, type Parsed } from './args.ts';

interface BenchArgs { algos: Algo[]; threads: number[]; seconds: number; json: boolean }

export const benchSpec: CommandSpec = {
  name: 'bench',
  summary: 'Benchmark the hash kernels side by side with naive library baselines (interleaved rounds, medians), then check that every kernel reports the same shares. Exit 1 when a kernel fails its check.',
  options: {
    algo: { type: 'string', value: 'ALGO', help: `one of ${ALGOS.join(', ')} (default sha256d)` },
    all: { type: 'boolean', help: 'every algorithm' },
    threads: { type: 'string', value: 'N[,M…]', help: 'worker threads, one run per count (default 1)' },
    seconds: { type: 'string', value: 'S', help: 'measured seconds per kernel (default 2)' },
    json: { type: 'boolean', help: 'one JSON object per kernel, then a summary line' },
  },
};

function benchArgs(p: Parsed): BenchArgs {
  const algos = p.values.all === true ? listAlgos() : [choiceOption(p, 'algo', ALGOS, 'sha256d')];
  const threads = typeof p.values.threads === 'string' ? p.values.threads.split(',').map(Number) : [1];
  if (threads.some((t) => !Number.isInteger(t) || t < 1 || t > 256)) throw new HashlingError('E_USAGE', '--threads must be integers within [1, 256]');
  return { algos, threads, seconds: numberOption(p, 'seconds', 2, 0.01, 3600), json: p.values.json === true };
}

function rate(hps: number): string {
  if (hps >= 1e6) return `${(hps / 1e6).toFixed(2)} MH/s`;
  if (hps >= 1e3) return `${(hps / 1e3).toFixed(2)} kH/s`;
  return `${hps.toFixed(1)} H/s`;
}

function printText(r: BenchResult, seconds: number, write: Write): void {
  const base = r.figures.find((f) => f.kernel === r.baseline);
  const out = { write };
  out.write(`\n${r.algo}: ${r.threads} thread${r.threads > 1 ? 's' : ''}, ${seconds} s per kernel in 5 interleaved rounds (medians)\n`);
  out.write(`${'kernel'.padEnd(24)}${'total'.padStart(14)}${'per thread'.padStart(14)}${'per CPU-s'.padStart(14)}   vs ${r.baseline}\n`);
  for (const f of r.figures) {
    if (f.check !== null) {
      out.write(`${f.kernel.padEnd(24)}  FAILED CHECK: ${f.check}\n`);
      continue;
    }
    const ratio = base && base.hashrate_hps > 0 ? `${(f.hashrate_hps / base.hashrate_hps).toFixed(1)}x` : '-';
    const cpu = Number.isFinite(f.cpu_hps) ? rate(f.cpu_hps / r.threads) : '-';
    out.write(`${f.kernel.padEnd(24)}${rate(f.hashrate_hps).padStart(14)}${rate(f.per_thread_hps).padStart(14)}${cpu.padStart(14)}   ${ratio.padStart(6)}${f.baseline_of ? '  (baseline)' : ''}\n`);
  }
  const passed = r.figures.filter((f) => f.check === null);
  out.write(r.agree
    ? `checksum ${r.algo} ${r.checksum} (${passed[0]?.checksum_shares ?? 0} shares; all ${passed.length} kernels agree)\n`
    : `checksum ${r.algo} MISMATCH: ${r.figures.map((f) => `${f.kernel}=${f.checksum.slice(0, 16) || 'n/a'}`).join(' ')}\n`);
}

function printJson(r: BenchResult, write: Write): void {
  const base = r.figures.find((f) => f.kernel === r.baseline);
  const baseHps = base?.hashrate_hps ?? 0;
  for (const f of r.figures) {
    write(`${JSON.stringify({
      algo: f.algo, kernel: f.kernel, threads: f.threads, hashrate_hps: Math.round(f.hashrate_hps),
      per_thread_hps: Math.round(f.per_thread_hps), cpu_hps: Number.isFinite(f.cpu_hps) ? Math.round(f.cpu_hps) : null, baseline: r.baseline, baseline_hps: Math.round(baseHps),
      ratio: baseHps > 0 ? Number((f.hashrate_hps / baseHps).toFixed(3)) : null, is_baseline: f.baseline_of,
      rounds_hps: f.rounds_hps.map(Math.round), checksum: f.checksum, check: f.check ?? 'ok',
    })}\n`);
  }
  write(`${JSON.stringify({ algo: r.algo, threads: r.threads, checksum: r.checksum, kernels_agree: r.agree })}\n`);
}

type Write = (text: string) => void;

/** `write` receives the report (stdout by default; tests pass their own). */
export function benchCommand(argv: string[], write: Write = (t) => { process.stdout.write(t); }): Promise<number> {
  return runCommand(benchSpec, argv, async (p) => {
    const args = benchArgs(p);
    let ok = true;
    for (const algo of args.algos) {
      for (const threads of args.threads) {
        let r: BenchResult;
        try {
          r = await runBench({ algo, threads, seconds: args.seconds });
        } catch (err) {
          process.stderr.write(`hashling bench ${algo}: ${(err as Error).message}\n`);
          ok = false;
          continue;
        }
        if (args.json) printJson(r, write);
        else printText(r, args.seconds, write);
        ok &&= r.agree;
      }
    }
    return ok ? EXIT.OK : EXIT.FAILURE;
  }, { out: write });
}
