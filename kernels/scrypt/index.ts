// scrypt (N=1024, r=1, p=1, dkLen=32; password = salt = the 80-byte header), the
// Litecoin/Dogecoin proof of work (RFC 7914). See kernels/types.ts for the contract.
import type { AlgoModule } from '../types.ts';
import { nobleBaseline, nodeCryptoBaseline } from './baselines.ts';
import { checkScryptKernel, scryptHashAt, scryptIsShare } from './check.ts';
import { createScryptJsKernel } from './jsKernel.ts';
import { createScryptWasmKernel } from './wasmKernel.ts';

export const algoModule: AlgoModule = {
  algo: 'scrypt',
  kernels: [createScryptWasmKernel(), createScryptJsKernel()],
  baselines: [nobleBaseline, nodeCryptoBaseline],
  hashAt: scryptHashAt,
  isShare: scryptIsShare,
  checkKernel: checkScryptKernel,
};
