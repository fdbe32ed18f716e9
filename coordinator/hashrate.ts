// Hashrate from verified work only. A verified share at target T stands for
// 2^256/(T+1) hashes on average, whatever the device says it did; summing that
// over a sliding window gives an unbiased estimate (cpuminer's and every pool's
// "hashrate from shares").
import { hashesPerShare } from './stratum/difficulty.ts';

export const HASHRATE_WINDOW_MS = 10 * 60_000;
/** Below this many shares in the window the estimate is too noisy to size units with. */
export const MIN_SHARES_FOR_ESTIMATE = 4;

export class VerifiedHashrate {
  private shares: Array<{ at: number; work: number }> = [];
  private readonly since: number;

  constructor(since: number) {
    this.since = since;
  }

  add(at: number, target: bigint): void {
    this.shares.push({ at, work: hashesPerShare(target) });
  }

  private prune(now: number): void {
    const cut = now - HASHRATE_WINDOW_MS;
    let i = 0;
    while (i < this.shares.length && this.shares[i]!.at < cut) i++;
    if (i > 0) this.shares.splice(0, i);
  }

  get count(): number {
    return this.shares.length;
  }

  /** H/s over the window (or since the device appeared, if later); 0 without shares. */
  estimate(now: number): number {
    this.prune(now);
    if (this.shares.length === 0) return 0;
    const span = Math.max(1000, now - Math.max(this.since, now - HASHRATE_WINDOW_MS));
    let work = 0;
    for (const s of this.shares) work += s.work;
    return work / (span / 1000);
  }

  confident(now: number): boolean {
    this.prune(now);
    return this.shares.length >= MIN_SHARES_FOR_ESTIMATE;
  }
}

/**
 * log P(X ≤ k) for X ~ Poisson(λ): how likely it is to find only k shares when
 * the claimed hashes predict λ. Summed in log space; a normal tail beyond 10^4
 * terms, where the Poisson is indistinguishable from it.
 */
export function poissonLogCdf(k: number, lambda: number): number {
  if (lambda <= 0) return 0;
  if (k >= 10_000) {
    const z = (k + 0.5 - lambda) / Math.sqrt(lambda);
    return z >= 0 ? 0 : Math.log(0.5 * erfc(-z / Math.SQRT2));
  }
  let logTerm = -lambda; // k = 0
  let acc = logTerm;
  for (let i = 1; i <= k; i++) {
    logTerm += Math.log(lambda / i);
    acc = Math.max(acc, logTerm) + Math.log1p(Math.exp(-Math.abs(acc - logTerm)));
  }
  return Math.min(0, acc);
}

/** Complementary error function (Numerical Recipes' erfcc, |error| < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/**
 * Compares a device's claimed hashes (results.hashes) with its verified shares.
 * Honest devices land in the body of the Poisson; a device that inflates its
 * claims finds far fewer shares than λ. Flagged below a 1e-6 tail probability
 * (about 5 σ), so a fleet of thousands sees no false alarms in practice.
 */
export class ClaimCheck {
  expected = 0;
  observed = 0;
  impossible = 0;
  static readonly LOG_THRESHOLD = Math.log(1e-6);

  addUnit(claimedHashes: number, rangeSize: number, target: bigint, verifiedShares: number): void {
    if (claimedHashes > rangeSize) this.impossible++;
    this.expected += Math.min(claimedHashes, rangeSize) / hashesPerShare(target);
    this.observed += verifiedShares;
  }

  get flagged(): boolean {
    return this.impossible > 0 || poissonLogCdf(this.observed, this.expected) < ClaimCheck.LOG_THRESHOLD;
  }
}
