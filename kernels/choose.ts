// What the agent mines with: the self-test over every kernel, then the planner over the
// ones that passed (cached per CPU, Node version and kernel set in the state directory).
import { benchJob } from './measure.ts';
import { DEFAULT_BUDGET, planKernels, SMALL_BUDGET, type KernelPlan } from './planner.ts';
import { getAlgoModule, listAlgos, listKernels } from './registry.ts';
import { runSelfTest, type SelfTestResult } from './selfTest.ts';
import type { Algo, Kernel } from './types.ts';

export interface KernelChoice {
  /** The kernel per algorithm (the agent's `kernels` in info). */
  kernels: Partial<Record<Algo, string>>;
  /** The choice per algorithm and why (info's `kernel_plan`). */
  plan: KernelPlan;
  /** Wall time the planner spent timing (0 on a start served by the cache). */
  planned_ms: number;
}

export interface ChooseOptions {
  /** health.state_dir: where the plan is cached; empty = plan at every start. */
  stateDir: string;
  /** Re-time even where a valid cached plan exists. */
  force?: boolean;
  /** Results of a self-test just run (else it runs here). */
  selfTest?: readonly SelfTestResult[];
  log(line: string): void;
}

/**
 * The self-test of the kernels that can be chosen: the WebAssembly SIMD ones, and the
 * plain-JS ones only for an algorithm where no SIMD kernel passed (checking a JS kernel
 * costs 20-50 ms in V8's interpreter; at every start that adds up for nothing).
 */
export function selfTestCandidates(): SelfTestResult[] {
  const results = runSelfTest((k) => !isScalarFallback(k));
  const needJs = listAlgos().filter((algo) => !results.some((r) => r.algo === algo && r.ok));
  return needJs.length === 0 ? results : [...results, ...runSelfTest((k) => isScalarFallback(k) && needJs.includes(k.algo))];
}

export function chooseKernels(opt: ChooseOptions): KernelChoice {
  const passed = new Set<string>();
  for (const r of opt.selfTest ?? selfTestCandidates()) {
    if (r.ok) passed.add(r.kernel);
    else opt.log(`E_SELFTEST kernel ${r.kernel} failed its golden vectors: ${r.detail ?? 'mismatch'}; not used`);
  }
  const candidates: Partial<Record<Algo, Kernel[]>> = {};
  for (const algo of listAlgos()) {
    candidates[algo] = plannable(getAlgoModule(algo)!.kernels.filter((k) => k.available() && passed.has(k.name)));
  }
  const r = planKernels({
    candidates, allKernels: listKernels(), jobFor: benchJob, stateDir: opt.stateDir, force: opt.force, log: opt.log,
    // Plain-JS candidates need their big functions TurboFan-compiled before a fair slice.
    budgets: (algo, n) => {
      const b = n > SMALL_BUDGET.finalists ? DEFAULT_BUDGET : SMALL_BUDGET;
      return candidates[algo]!.every(isScalarFallback) ? { ...b, warmupMs: 300 } : b;
    },
  });
  const kernels: Partial<Record<Algo, string>> = {};
  for (const [algo, p] of Object.entries(r.plan) as [Algo, { kernel: string }][]) kernels[algo] = p.kernel;
  return { kernels, plan: r.plan, planned_ms: r.planned_ms };
}

/** The device's hashing estimate for `info`: the chosen kernel's planned rate times the threads. */
export function benchmarkFromPlan(plan: KernelPlan, threads: number): Partial<Record<Algo, number>> {
  const out: Partial<Record<Algo, number>> = {};
  for (const [algo, p] of Object.entries(plan) as [Algo, { kernel: string; rates_hps: Record<string, number> }][]) {
    out[algo] = Math.round((p.rates_hps[p.kernel] ?? 0) * threads);
  }
  return out;
}

/** Plain-JS kernels are named <algo>-js…: the scalar fallback tier. */
export function isScalarFallback(k: Kernel): boolean {
  return /^[a-z0-9-]+?-js(-|$)/.test(k.name);
}

/**
 * The candidates worth timing: the WebAssembly SIMD kernels where any is available, else
 * the plain-JS ones. A scalar JS form hashes one nonce where an i32x4 form hashes four
 * (sha256d here: 2.2-2.3 M/s per CPU-s for the JS forms against 4-6 M/s for the SIMD ones),
 * and timing it fairly would need its ~60 KB functions TurboFan-compiled first (~100 ms
 * each in V8's background queue, which also delays the SIMD modules' tier-up).
 */
export function plannable(kernels: readonly Kernel[]): Kernel[] {
  const simd = kernels.filter((k) => !isScalarFallback(k));
  return simd.length > 0 ? simd : [...kernels];
}
