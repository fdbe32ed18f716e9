// Per-miner share difficulty ("vardiff") of the Stratum endpoint: about one
// share per share_interval_s, so every miner's work is verified and its
// hashrate measured every few tens of seconds whatever its speed; never above
// the pool's difficulty (a pool share must never be missed) and never below the
// miner's own floor (mining.suggest_difficulty, BIP310 minimum-difficulty).
// Pure: the caller keeps the window and applies the decision.
import { hashesPerDifficulty, type PoolAlgo } from '../stratum/difficulty.ts';

export interface VardiffWindow {
  /** Start of the measuring window (ms). */
  since: number;
  shares: number;
  /** Expected hashes behind those shares (Σ difficulty × hashes per difficulty 1). */
  work: number;
}

export interface VardiffLimits {
  intervalS: number;
  algo: PoolAlgo;
  /** Lowest difficulty allowed (the miner's suggestion or minimum, else a tiny floor). */
  min: number;
  /** Highest allowed: the pool's current difficulty. */
  max: number;
}

/** Enough shares to judge the rate: 6 gives ±40 % (1/√6) on the estimate. */
const SHARES_TO_RETARGET = 6;

/**
 * A new difficulty, or null to keep the current one. Retargets after 6 shares,
 * or, without enough shares, after 4 intervals (then the miner is slower than
 * assumed: the estimate treats the silence as at most one share's work).
 * Changes under ×1.5 are ignored so the difficulty does not flap.
 */
export function retarget(current: number, w: VardiffWindow, now: number, lim: VardiffLimits): number | null {
  const elapsedS = Math.max(0.001, (now - w.since) / 1000);
  const enough = w.shares >= SHARES_TO_RETARGET;
  const timedOut = elapsedS >= 4 * lim.intervalS;
  let want: number;
  if (enough || (timedOut && w.shares > 0)) {
    want = (w.work / elapsedS) * lim.intervalS / hashesPerDifficulty(lim.algo);
  } else if (timedOut) {
    want = (current * lim.intervalS) / elapsedS;
  } else {
    // Between retargets; but never stay above the pool's difficulty.
    return current > lim.max ? Math.max(lim.min, lim.max) : null;
  }
  const next = Math.min(Math.max(want, lim.min), Math.max(lim.min, lim.max));
  if (next / current < 1.5 && current / next < 1.5) return null;
  return next;
}
