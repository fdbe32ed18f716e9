// Placeholder until this algorithm's kernels land; see kernels/types.ts for the contract.
import type { AlgoModule } from '../types.ts';

export const algoModule: AlgoModule | null = null;
