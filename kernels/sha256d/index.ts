// sha256d (Bitcoin proof of work): the kernels, fastest expected first, the naive
// library baselines for bench, and the reference used for shares and self-test.
import type { AlgoModule, KernelJob } from '../types.ts';
import { sha256dNobleNaive, sha256dNodeCrypto } from './baselines.ts';
import { checkSha256dKernel } from './check.ts';
import { sha256dJs } from './jsKernel.ts';
import { assertHeaderJob, headerHashAt, meetsTarget } from './share.ts';
import { sha256dWasmSimd } from './wasmKernel.ts';

export const algoModule: AlgoModule = {
  algo: 'sha256d',
  kernels: [sha256dWasmSimd, sha256dJs],
  baselines: [sha256dNobleNaive, sha256dNodeCrypto],
  hashAt(job: KernelJob, nonce: number): Uint8Array {
    assertHeaderJob(job);
    return headerHashAt(job.header, nonce);
  },
  isShare(job: KernelJob, digest: Uint8Array): boolean {
    assertHeaderJob(job);
    return meetsTarget(digest, job.target);
  },
  checkKernel: checkSha256dKernel,
};
