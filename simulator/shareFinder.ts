// Finds real shares inside a unit without hashing the whole unit: a simulated
// device "hashes" at a configured rate by the clock, and when its share process
// fires, this scans a small random window of the unit's range with the agent's
// own kernel until a nonce meets the target. The coordinator then verifies a
// genuine share; the cost is ~1/p hashes per share (p = chance per hash), which is
// why the simulator keeps hashrate × share_interval_s small (docs/scaling.md).
import { getAlgoModule, selectKernel } from '../kernels/registry.ts';
import { bytesToHex, hexToBytes } from '../kernels/hex.ts';
import type { HeaderJob, Kernel } from '../kernels/types.ts';

/** Largest scan for one share: 2^20 hashes (~0.2 s on one x86 core) before giving up. */
const MAX_SCAN = 1 << 20;
const WINDOW = 4096;

export interface FoundShare {
  nonce: number;
  /** 64 lowercase hex, display order (what the agent publishes). */
  hash: string;
}

let kernel: Kernel | null | undefined;

function sha256dKernel(): Kernel {
  if (kernel === undefined) kernel = selectKernel('sha256d');
  if (!kernel) throw new Error('no sha256d kernel available for the simulator');
  return kernel;
}

/** A scanner for a whole unit (exact mode: the simulator hashes every nonce, paced by the clock). */
export function unitScanner(job: HeaderJob): { scan(start: number, count: number, onShare: (nonce: number) => void): void } {
  return sha256dKernel().prepare(job);
}

/** The share's published hash from the reference implementation, as in the agent. */
export function shareHash(job: HeaderJob, nonce: number): string {
  return bytesToHex(getAlgoModule('sha256d')!.hashAt(job, nonce));
}

/** The unit as the kernel wants it (bytes, not hex). */
export function headerJob(headerHex: string, targetHex: string): HeaderJob {
  return { algo: 'sha256d', header: hexToBytes(headerHex), target: hexToBytes(targetHex) };
}

/**
 * One share in [start, end] not in `taken`, searched from a random offset
 * (wrapping inside the range), or null when none was found within MAX_SCAN.
 */
export function findShare(job: HeaderJob, start: number, end: number, taken: Set<number>, random: () => number = Math.random): FoundShare | null {
  const size = end - start + 1;
  const scanner = sha256dKernel().prepare(job);
  let offset = Math.floor(random() * size);
  let scanned = 0;
  let found = -1;
  const onShare = (n: number) => { if (found < 0 && !taken.has(n)) found = n; };
  while (found < 0 && scanned < Math.min(size, MAX_SCAN)) {
    const count = Math.min(WINDOW, size - offset, size - scanned);
    scanner.scan(start + offset, count, onShare);
    scanned += count;
    offset = (offset + count) % size;
  }
  if (found < 0) return null;
  // The published hash comes from the reference implementation, as in the agent.
  const digest = getAlgoModule('sha256d')!.hashAt(job, found);
  return { nonce: found, hash: bytesToHex(digest) };
}

/** Probability that one hash meets a 256-bit target: (target + 1) / 2^256. */
export function shareProbability(targetHex: string): number {
  const t = BigInt(`0x${targetHex}`);
  return Number((t + 1n) >> 192n) / 2 ** 64;
}
