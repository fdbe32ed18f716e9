// The one place that knows every algorithm's kernels. (sha256d's are the variants of
// kernels/sha256d/variants.ts, whose comment states the V8 optimisation limits each
// generated kernel stays under and the test that checks it.) Importing it only loads
// modules (no compilation, no timing), so worker threads can import it and call
// findKernel(name).prepare(job) cheaply.
import type { Algo, AlgoModule, Kernel } from './types.ts';
import { ALGOS } from './types.ts';
import { algoModule as sha256d } from './sha256d/index.ts';
import { algoModule as scrypt } from './scrypt/index.ts';
import { algoModule as ducoS1 } from './ducoS1/index.ts';

// A folder whose kernels have not landed exports null and is skipped.
const MODULES = new Map<Algo, AlgoModule>(
  ([sha256d, scrypt, ducoS1] as (AlgoModule | null)[])
    .filter((m): m is AlgoModule => m !== null)
    .map((m) => [m.algo, m]),
);

export function getAlgoModule(algo: Algo): AlgoModule | null {
  return MODULES.get(algo) ?? null;
}

/** Algorithms that have kernels, in ALGOS order. */
export function listAlgos(): Algo[] {
  return ALGOS.filter((a) => MODULES.has(a));
}

/** Every kernel (not the baselines) of one algorithm or of all, available or not. */
export function listKernels(algo?: Algo): Kernel[] {
  const algos = algo === undefined ? listAlgos() : [algo];
  return algos.flatMap((a) => MODULES.get(a)?.kernels ?? []);
}

/** The naive library loops bench compares against. */
export function listBaselines(algo?: Algo): Kernel[] {
  const algos = algo === undefined ? listAlgos() : [algo];
  return algos.flatMap((a) => MODULES.get(a)?.baselines ?? []);
}

/** A kernel or baseline by its stable name (what workers receive). */
export function findKernel(name: string): Kernel | null {
  for (const m of MODULES.values()) {
    for (const k of [...m.kernels, ...m.baselines]) if (k.name === name) return k;
  }
  return null;
}

const selected = new Map<Algo, Kernel | null>();

/**
 * The first kernel in the module's order that is available here and passes checkKernel,
 * without timing anything (cached per process). The agent does not use this: it mines with
 * the planner's measured choice (kernels/choose.ts, kernels/planner.ts), because the fastest
 * form differs between cores (docs/performance.md). This fixed order (fastest measured on
 * the development machine first) serves tools and tests that need a kernel at once.
 */
export function selectKernel(algo: Algo): Kernel | null {
  if (selected.has(algo)) return selected.get(algo)!;
  const mod = MODULES.get(algo);
  let pick: Kernel | null = null;
  for (const k of mod?.kernels ?? []) {
    if (k.available() && mod!.checkKernel(k) === null) {
      pick = k;
      break;
    }
  }
  selected.set(algo, pick);
  return pick;
}
