// sha256d (Bitcoin proof of work): the kernel variants, fastest measured here first, the naive
// library baselines for bench, and the reference used for shares and self-test.
import type { AlgoModule, KernelJob } from '../types.ts';
import { sha256dNobleNaive, sha256dNodeCreateHash, sha256dNodeCrypto } from './baselines.ts';
import { checkSha256dKernel } from './check.ts';
import { createJsKernel, JS_MODULES } from './jsKernel.ts';
import { assertHeaderJob, headerHashAt, meetsTarget } from './share.ts';
import { SHA256D_VARIANTS } from './variants.ts';
import { wasmVariantKernel } from './wasmKernel.ts';

/** Every variant of variants.ts as a kernel (the JS modules are imported statically). */
const kernels = SHA256D_VARIANTS.map((v) => (v.form === 'js'
  ? createJsKernel(v.name, JS_MODULES[v.file]!, [new URL(`./generated/${v.file}.ts`, import.meta.url)])
  : wasmVariantKernel(v.name, v.file)));

export const algoModule: AlgoModule = {
  algo: 'sha256d',
  kernels,
  baselines: [sha256dNobleNaive, sha256dNodeCrypto, sha256dNodeCreateHash],
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
