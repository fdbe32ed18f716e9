// `hashling selftest` and the agent's start-up check: every available kernel of every
// algorithm against golden vectors. The vectors embedded in each algorithm folder
// are always used (a deployed agent has no ../shared); where the repository's
// shared vectors are present (<repo>/../shared/vectors), the sha256d kernels are run
// over the blocks in that file too, so a new vector added there is covered at once.
import { existsSync, readFileSync } from 'node:fs';
import { hexToBytes } from './hex.ts';
import { getAlgoModule, listAlgos } from './registry.ts';
import type { Algo, HeaderJob, Kernel } from './types.ts';

export interface SelfTestResult {
  kernel: string;
  algo: Algo;
  ok: boolean;
  detail?: string;
}

/** <repo>/../shared/vectors/, the shared golden vectors (absent on deployed devices). */
export const SHARED_VECTORS = new URL('../../shared/vectors/', import.meta.url);

interface SharedHeader { height: number; header_hex: string; nonce: number; target: string }

function sharedBitcoinHeaders(): SharedHeader[] {
  const file = new URL('bitcoin-headers.json', SHARED_VECTORS);
  if (!existsSync(file)) return [];
  return JSON.parse(readFileSync(file, 'utf8')) as SharedHeader[];
}

/** The block's nonce is the only share of a window around it, at the block's target. */
function checkSharedHeaders(kernel: Kernel, headers: SharedHeader[]): string | null {
  for (const v of headers) {
    const job: HeaderJob = { algo: 'sha256d', header: hexToBytes(v.header_hex), target: hexToBytes(v.target) };
    const shares: number[] = [];
    kernel.prepare(job).scan(v.nonce - 13, 29, (n) => shares.push(n));
    if (shares.length !== 1 || shares[0] !== v.nonce) {
      return `shared vector height ${v.height}: expected [${v.nonce}], got [${shares.join(',')}]`;
    }
  }
  return null;
}

/** Every available kernel (or those `only` selects) against its golden vectors. */
export function runSelfTest(only: (kernel: Kernel) => boolean = () => true): SelfTestResult[] {
  const results: SelfTestResult[] = [];
  const shared = sharedBitcoinHeaders();
  for (const algo of listAlgos()) {
    const mod = getAlgoModule(algo)!;
    for (const kernel of mod.kernels) {
      if (!kernel.available() || !only(kernel)) continue;
      let detail: string | null;
      try {
        detail = mod.checkKernel(kernel) ?? (algo === 'sha256d' ? checkSharedHeaders(kernel, shared) : null);
      } catch (err) {
        detail = `threw: ${err instanceof Error ? err.message : String(err)}`;
      }
      results.push(detail === null ? { kernel: kernel.name, algo, ok: true } : { kernel: kernel.name, algo, ok: false, detail });
    }
  }
  return results;
}
