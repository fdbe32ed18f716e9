// `hashling bench [--algo sha256d|scrypt|duco-s1] [--threads N[,M...]] [--seconds S] [--rounds R] [--json] [--all]
//                 [--variants] [--native PATH]`
// Prints per-thread and total hashes/s of the kernels beside the naive baselines, and a
// checksum line per algorithm. By default the kernels are the planner's choice (timed
// now, as the agent does at its first start) and the first plain-JS fallback;
// --variants times every candidate side by side. --native runs a pooler-style miner
// (`PATH --benchmark -a ALGO -t 1`) once per round and prints each kernel's per-core
// rate as a ratio to it. Exit code 1 when a kernel fails its check or the kernels'
// checksums disagree.
import { checksumPlan, kernelChecksum, runBench, type BenchResult } from '../kernels/benchmark.ts';
import { isScalarFallback, plannable } from '../kernels/choose.ts';
import { benchJob } from '../kernels/measure.ts';
import { planKernels } from '../kernels/planner.ts';
import { getAlgoModule, listAlgos, listKernels } from '../kernels/registry.ts';
import { ALGOS, type Algo } from '../kernels/types.ts';
import { EXIT } from '../lifecycle/exitCodes.ts';
import { HashlingError } from '../protocol/errors.ts';
import { choiceOption, numberOption, runCommand, type CommandSpec, type Parsed } from './args.ts';

interface BenchArgs { algos: Algo[]; threads: number[]; seconds: number; rounds: number; json: boolean; variants: boolean; native: string | null; checksums: boolean }

/** Algorithms a pooler-style miner benchmarks (its -a names). */
const NATIVE_ALGOS: Partial<Record<Algo, string>> = { sha256d: 'sha256d', scrypt: 'scrypt' };

export const benchSpec: CommandSpec = {
  name: 'bench',
  summary: 'Benchmark the hash kernels side by side with naive library baselines (interleaved rounds, medians), then check that every kernel reports the same shares. Exit 1 when a kernel fails its check.',
  options: {
    algo: { type: 'string', value: 'ALGO', help: `one of ${ALGOS.join(', ')} (default sha256d)` },
    all: { type: 'boolean', help: 'every algorithm' },
    threads: { type: 'string', value: 'N[,M…]', help: 'worker threads, one run per count (default 1)' },
    seconds: { type: 'string', value: 'S', help: 'measured seconds per kernel (default 2)' },
    rounds: { type: 'string', value: 'R', help: 'interleaved rounds the seconds are split over (default 5)' },
    variants: { type: 'boolean', help: 'every kernel variant (default: the planner\'s choice and the plain-JS fallback)' },
    native: { type: 'string', value: 'PATH', help: 'a pooler-style native miner (minerd) to run once per round: per-core ratios to it' },
    json: { type: 'boolean', help: 'one JSON object per kernel, then a summary line' },
    checksums: { type: 'boolean', help: 'only every kernel\'s checksum, no timing (for emulators and slow boards)' },
  },
};

function benchArgs(p: Parsed): BenchArgs {
  const algos = p.values.all === true ? listAlgos() : [choiceOption(p, 'algo', ALGOS, 'sha256d')];
  const threads = typeof p.values.threads === 'string' ? p.values.threads.split(',').map(Number) : [1];
  if (threads.some((t) => !Number.isInteger(t) || t < 1 || t > 256)) throw new HashlingError('E_USAGE', '--threads must be integers within [1, 256]');
  return {
    algos, threads, seconds: numberOption(p, 'seconds', 2, 0.01, 3600), rounds: numberOption(p, 'rounds', 5, 1, 100, true),
    json: p.values.json === true, variants: p.values.variants === true, native: typeof p.values.native === 'string' ? p.values.native : null,
    checksums: p.values.checksums === true,
  };
}

function rate(hps: number): string {
  if (hps >= 1e6) return `${(hps / 1e6).toFixed(2)} MH/s`;
  if (hps >= 1e3) return `${(hps / 1e3).toFixed(2)} kH/s`;
  return `${hps.toFixed(1)} H/s`;
}

/** Per-core ratios to the native miner: wall (per thread) and per CPU-second; null without a native figure. */
function nativeRatios(r: BenchResult, f: BenchResult['figures'][number]): { wall: number; cpu: number } | null {
  const n = r.native;
  if (!n || n.error || n.hps <= 0) return null;
  return { wall: f.per_thread_hps / n.hps, cpu: Number.isFinite(f.cpu_hps) ? f.cpu_hps / r.threads / n.cpu_hps : Number.NaN };
}

function printText(r: BenchResult, seconds: number, write: Write, tags: Map<string, string>): void {
  const base = r.figures.find((f) => f.kernel === r.baseline);
  const out = { write };
  const n = r.native;
  const withNative = n !== undefined && !n.error;
  out.write(`\n${r.algo}: ${r.threads} thread${r.threads > 1 ? 's' : ''}, ${seconds} s per kernel in ${r.figures[0]?.rounds_hps.length ?? 0} interleaved rounds (medians)\n`);
  out.write(`${'kernel'.padEnd(34)}${'total'.padStart(14)}${'per thread'.padStart(14)}${'per CPU-s'.padStart(14)}${'best chunk'.padStart(14)}   vs ${r.baseline}${withNative ? '   vs native per core (wall / CPU-s)' : ''}\n`);
  for (const f of r.figures) {
    if (f.check !== null) {
      out.write(`${f.kernel.padEnd(34)}  FAILED CHECK: ${f.check}\n`);
      continue;
    }
    const ratio = base && base.hashrate_hps > 0 ? `${(f.hashrate_hps / base.hashrate_hps).toFixed(1)}x` : '-';
    const cpu = Number.isFinite(f.cpu_hps) ? rate(f.cpu_hps / r.threads) : '-';
    const nr = nativeRatios(r, f);
    const nat = nr ? `   ${nr.wall.toFixed(2)}x / ${Number.isFinite(nr.cpu) ? `${nr.cpu.toFixed(2)}x` : '-'}` : '';
    const tag = f.baseline_of ? '  (baseline)' : tags.has(f.kernel) ? `  (${tags.get(f.kernel)})` : '';
    out.write(`${f.kernel.padEnd(34)}${rate(f.hashrate_hps).padStart(14)}${rate(f.per_thread_hps).padStart(14)}${cpu.padStart(14)}${rate(f.core_hps).padStart(14)}   ${ratio.padStart(6)}${nat}${tag}\n`);
  }
  if (n === undefined) {
    out.write(NATIVE_ALGOS[r.algo]
      ? 'native: no native miner given (--native PATH to a pooler-style minerd); showing the baselines only\n'
      : `native: no pooler-style native miner benchmarks ${r.algo}; showing the baselines only\n`);
  } else if (n.error) {
    out.write(`native: ${n.error}; showing the baselines only\n`);
  } else {
    out.write(`native: ${n.path} -t 1: ${rate(n.hps)} (its own reports, rounds ${n.rounds_hps.map((x) => rate(x)).join(', ')}), ${rate(n.cpu_hps)} per CPU-s\n`);
  }
  const passed = r.figures.filter((f) => f.check === null);
  out.write(r.agree
    ? `checksum ${r.algo} ${r.checksum} (${passed[0]?.checksum_shares ?? 0} shares; all ${passed.length} kernels agree)\n`
    : `checksum ${r.algo} MISMATCH: ${r.figures.map((f) => `${f.kernel}=${f.checksum.slice(0, 16) || 'n/a'}`).join(' ')}\n`);
}

function printJson(r: BenchResult, write: Write, tags: Map<string, string>): void {
  const base = r.figures.find((f) => f.kernel === r.baseline);
  const baseHps = base?.hashrate_hps ?? 0;
  for (const f of r.figures) {
    const nr = nativeRatios(r, f);
    write(`${JSON.stringify({
      ...(tags.has(f.kernel) ? { role: tags.get(f.kernel) } : {}),
      ...(nr ? { native_ratio_wall: Number(nr.wall.toFixed(3)), native_ratio_cpu: Number.isFinite(nr.cpu) ? Number(nr.cpu.toFixed(3)) : null } : {}),
      algo: f.algo, kernel: f.kernel, threads: f.threads, hashrate_hps: Math.round(f.hashrate_hps),
      per_thread_hps: Math.round(f.per_thread_hps), core_hps: Math.round(f.core_hps), cpu_hps: Number.isFinite(f.cpu_hps) ? Math.round(f.cpu_hps) : null, baseline: r.baseline, baseline_hps: Math.round(baseHps),
      ratio: baseHps > 0 ? Number((f.hashrate_hps / baseHps).toFixed(3)) : null, is_baseline: f.baseline_of,
      rounds_hps: f.rounds_hps.map(Math.round), checksum: f.checksum, check: f.check ?? 'ok',
    })}\n`);
  }
  const n = r.native;
  write(`${JSON.stringify({
    algo: r.algo, threads: r.threads, checksum: r.checksum, kernels_agree: r.agree,
    native: n ? (n.error ? { path: n.path, error: n.error } : { path: n.path, hashrate_hps: Math.round(n.hps), cpu_hps: Math.round(n.cpu_hps), rounds_hps: n.rounds_hps }) : null,
  })}\n`);
}

type Write = (text: string) => void;

/**
 * --checksums: only the checksum of every available kernel (no baselines, no
 * timing), so a device or an emulator that is too slow for the full bench can
 * still show it computes what x64 computes.
 */
function printChecksums(args: BenchArgs, write: Write): number {
  let ok = true;
  for (const algo of args.algos) {
    const mod = getAlgoModule(algo);
    if (!mod) continue;
    const plan = checksumPlan(algo);
    const sums = mod.kernels.filter((k) => k.available()).map((k) => ({ kernel: k.name, ...kernelChecksum(k, plan) }));
    const agree = sums.length > 0 && sums.every((x) => x.checksum === sums[0]!.checksum);
    ok &&= agree;
    if (args.json) {
      for (const x of sums) write(`${JSON.stringify({ algo, kernel: x.kernel, checksum: x.checksum, shares: x.shares })}\n`);
      write(`${JSON.stringify({ algo, checksum: agree ? sums[0]!.checksum : null, kernels_agree: agree })}\n`);
    } else {
      write(agree
        ? `checksum ${algo} ${sums[0]!.checksum} (${sums[0]!.shares} shares; all ${sums.length} kernels agree)\n`
        : `checksum ${algo} MISMATCH: ${sums.map((x) => `${x.kernel}=${x.checksum.slice(0, 16)}`).join(' ')}\n`);
    }
  }
  return ok ? EXIT.OK : EXIT.FAILURE;
}

/** `write` receives the report (stdout by default; tests pass their own). */
export function benchCommand(argv: string[], write: Write = (t) => { process.stdout.write(t); }): Promise<number> {
  return runCommand(benchSpec, argv, async (p) => {
    const args = benchArgs(p);
    if (args.checksums) return printChecksums(args, write);
    let ok = true;
    for (const algo of args.algos) {
      const { kernels, tags } = args.variants ? { kernels: undefined, tags: new Map<string, string>() } : plannedKernels(algo, args.json ? () => {} : write);
      for (const threads of args.threads) {
        let r: BenchResult;
        const nativeAlgo = NATIVE_ALGOS[algo];
        try {
          const roundMs = (args.seconds * 1000) / args.rounds;
          r = await runBench({
            algo, threads, seconds: args.seconds, kernels, rounds: args.rounds, warmupMs: Math.min(500, Math.max(50, roundMs)),
            // At least 3.5 s per run: pooler reports after a short first scan, then every second (-s 1).
            native: args.native && nativeAlgo ? { path: args.native, ms: Math.max(3500, roundMs) } : undefined,
          });
        } catch (err) {
          process.stderr.write(`hashling bench ${algo}: ${(err as Error).message}\n`);
          ok = false;
          continue;
        }
        if (args.json) printJson(r, write, tags);
        else printText(r, args.seconds, write, tags);
        ok &&= r.agree;
      }
    }
    return ok ? EXIT.OK : EXIT.FAILURE;
  }, { out: write });
}

/**
 * The kernels a default bench shows: the planner's choice, timed now as the agent does
 * at its first start (no cache), and the registry's first plain-JS variant as the fallback row.
 */
function plannedKernels(algo: Algo, write: Write): { kernels: string[]; tags: Map<string, string> } {
  const mod = getAlgoModule(algo);
  const candidates = (mod?.kernels ?? []).filter((k) => k.available() && mod!.checkKernel(k) === null);
  if (candidates.length === 0) return { kernels: [], tags: new Map() };
  const timed = plannable(candidates);
  const { plan, planned_ms } = planKernels({ candidates: { [algo]: timed }, allKernels: listKernels(), jobFor: benchJob, stateDir: '', log: () => {} });
  const p = plan[algo]!;
  const js = candidates.find(isScalarFallback);
  const tags = new Map([[p.kernel, `planner's choice of ${timed.length}, timed in ${planned_ms} ms`]]);
  if (js && js.name !== p.kernel) tags.set(js.name, 'plain-JS fallback');
  write(`\n${algo}: planner chose ${p.kernel} of ${timed.length} candidates in ${planned_ms} ms (--variants times all side by side)\n`);
  return { kernels: [...tags.keys()], tags };
}
