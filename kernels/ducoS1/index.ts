// DUCO-S1, Duino-Coin's micro-mining algorithm: find n with
// SHA1(last_hash + decimal(n)) == expected_hash. See kernels/types.ts for the contract.
import type { AlgoModule } from '../types.ts';
import { nobleBaseline, nodeCryptoBaseline } from './baselines.ts';
import { checkDucoKernel, ducoHashAt, ducoIsShare } from './check.ts';
import { createDucoJsKernel } from './jsKernel.ts';
import { createDucoWasmKernel } from './wasmKernel.ts';

export const algoModule: AlgoModule = {
  algo: 'duco-s1',
  kernels: [createDucoWasmKernel(), createDucoJsKernel()],
  baselines: [nodeCryptoBaseline, nobleBaseline],
  hashAt: ducoHashAt,
  isShare: ducoIsShare,
  checkKernel: checkDucoKernel,
};
