// The contract every hash kernel implements. A kernel is chosen per algorithm at
// start-up (fastest one that passes the self-test) and runs inside worker threads,
// so everything here must be structured-clone friendly and allocation-free per nonce.

export type Algo = 'sha256d' | 'scrypt' | 'duco-s1';
export const ALGOS: readonly Algo[] = ['sha256d', 'scrypt', 'duco-s1'];

/** Per-unit input of the header algorithms (sha256d, scrypt). */
export interface HeaderJob {
  algo: 'sha256d' | 'scrypt';
  /** 80-byte block header in wire order; bytes 76..79 (the nonce) are ignored. */
  header: Uint8Array;
  /** 32-byte share target, big-endian (display order). */
  target: Uint8Array;
}

/** Per-unit input of DUCO-S1: find n with SHA1(last_hash + decimal(n)) == expected_hash. */
export interface DucoJob {
  algo: 'duco-s1';
  /** 40 lowercase hex characters, hashed as ASCII text. */
  lastHash: string;
  /** 20-byte SHA-1 digest that the share must equal. */
  expectedHash: Uint8Array;
}

export type KernelJob = HeaderJob | DucoJob;

/** Unit-bound state (midstate, precomputed rounds) made once by Kernel.prepare. */
export interface Scanner {
  /**
   * Hashes every nonce in [start, start + count) exactly once and calls onShare for
   * each nonce that is a share. start + count may reach 2^32 (nonce 0xFFFFFFFF is
   * scanned); for duco-s1 nonces are plain non-negative integers below 2^53.
   */
  scan(start: number, count: number, onShare: (nonce: number) => void): void;
}

export interface Kernel {
  /** Stable name shown in info/bench, e.g. "sha256d-js-nested", "sha256d-wasm-loop8-nested". */
  readonly name: string;
  readonly algo: Algo;
  /**
   * Files whose bytes define the kernel's code (generated modules): their digest is part
   * of the planner's cache key, so a changed kernel is re-timed even under the same name.
   */
  readonly sources?: readonly URL[];
  /** False where the kernel cannot run here (e.g. no WebAssembly SIMD). */
  available(): boolean;
  prepare(job: KernelJob): Scanner;
}

/**
 * What each algorithm folder (kernels/<algo>/index.ts) exports as `algoModule`.
 * The registry (kernels/registry.ts) builds selection, self-test and bench from these.
 */
export interface AlgoModule {
  readonly algo: Algo;
  /** Every kernel of this algorithm, fastest-expected first. */
  readonly kernels: readonly Kernel[];
  /** The naive @noble/hashes loop that bench compares against (for duco-s1 also node:crypto). */
  readonly baselines: readonly Kernel[];
  /**
   * Reference digest for one nonce, computed with @noble/hashes: display order
   * (reversed) for header algorithms, the raw SHA-1 for duco-s1. Used for the `hash`
   * field of shares and by the coordinator's verification.
   */
  hashAt(job: KernelJob, nonce: number): Uint8Array;
  /** True when digest (as returned by hashAt) is a share for job. */
  isShare(job: KernelJob, digest: Uint8Array): boolean;
  /** Golden-vector check of one kernel: null when it passes, else what mismatched. */
  checkKernel(kernel: Kernel): string | null;
}
