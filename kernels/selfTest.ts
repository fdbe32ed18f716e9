// `hashling selftest` and the agent's start-up check: every available kernel of every
// algorithm against the golden vectors each algorithm folder carries (public chain
// facts; the product reads no file outside its own tree).
import { getAlgoModule, listAlgos } from './registry.ts';
import type { Algo, Kernel } from './types.ts';

export interface SelfTestResult {
  kernel: string;
  algo: Algo;
  ok: boolean;
  detail?: string;
}

/** Every available kernel (or those `only` selects) against its golden vectors. */
export function runSelfTest(only: (kernel: Kernel) => boolean = () => true): SelfTestResult[] {
  const results: SelfTestResult[] = [];
  for (const algo of listAlgos()) {
    const mod = getAlgoModule(algo)!;
    for (const kernel of mod.kernels) {
      if (!kernel.available() || !only(kernel)) continue;
      let detail: string | null;
      try {
        detail = mod.checkKernel(kernel);
      } catch (err) {
        detail = `threw: ${err instanceof Error ? err.message : String(err)}`;
      }
      results.push(detail === null ? { kernel: kernel.name, algo, ok: true } : { kernel: kernel.name, algo, ok: false, detail });
    }
  }
  return results;
}
