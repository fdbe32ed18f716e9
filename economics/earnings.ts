// The earnings model: what a hash is worth in coins. Pure functions, no I/O.
//
// A block at network difficulty D takes D × 2^32 hashes on average
// (hashUnits.ts), so one hash earns reward / (D × 2^32) coins in expectation.
// What "reward" is depends on the pool's payout scheme:
// - PPS (pay per share): the pool pays the expected block subsidy per share and
//   keeps the transaction fees; expected value = subsidy / (D × 2^32).
// - FPPS (full pay per share): subsidy plus the expected fees per block.
// - PPLNS (pay per last N shares): paid only when the pool finds a block, but
//   a block's whole reward (subsidy + fees) is split over the shares behind
//   it, so the long-run mean per hash equals FPPS; it differs in variance and in
//   the pool's luck, which this model does not forecast.
// The pool fee f then keeps the fraction f of that.
import type { PayoutScheme } from '../config/economics.ts';
import { hashesFromShares, hashesPerBlock, hashesPerShare, type MiningAlgo } from './hashUnits.ts';

/** Coins per block, in the coin's own unit. */
export interface BlockReward {
  subsidy: number;
  fees: number;
}

export interface PayoutTerms {
  scheme: PayoutScheme;
  /** Pool fee as a fraction in [0, 1). */
  poolFee: number;
}

export const SECONDS_PER_DAY = 86_400;

function assertFee(f: number): void {
  if (typeof f !== 'number' || !(f >= 0 && f < 1)) throw new RangeError(`pool fee must be a fraction in [0, 1), got ${f}`);
}
function assertReward(r: BlockReward): void {
  if (!(Number.isFinite(r.subsidy) && r.subsidy >= 0) || !(Number.isFinite(r.fees) && r.fees >= 0)) {
    throw new RangeError(`block reward must have subsidy ≥ 0 and fees ≥ 0, got ${JSON.stringify(r)}`);
  }
}
function assertNonNegative(name: string, x: number): void {
  if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) throw new RangeError(`${name} must be a finite number ≥ 0, got ${x}`);
}

/** The per-block amount a scheme pays out on average (before the pool fee). */
export function paidPerBlock(reward: BlockReward, scheme: PayoutScheme): number {
  assertReward(reward);
  return scheme === 'pps' ? reward.subsidy : reward.subsidy + reward.fees;
}

/** Expected coins per hash before the pool fee. */
export function coinsPerHash(networkDifficulty: number, reward: BlockReward, scheme: PayoutScheme): number {
  return paidPerBlock(reward, scheme) / hashesPerBlock(networkDifficulty);
}

/** Expected coins for `hashes` hashes, after the pool fee. */
export function expectedCoins(hashes: number, networkDifficulty: number, reward: BlockReward, terms: PayoutTerms): number {
  assertNonNegative('hashes', hashes);
  assertFee(terms.poolFee);
  return hashes * coinsPerHash(networkDifficulty, reward, terms.scheme) * (1 - terms.poolFee);
}

/** Expected coins per day at a steady hashrate, after the pool fee. */
export function expectedCoinsPerDay(hashrateHps: number, networkDifficulty: number, reward: BlockReward, terms: PayoutTerms): number {
  assertNonNegative('hashrate', hashrateHps);
  return expectedCoins(hashrateHps * SECONDS_PER_DAY, networkDifficulty, reward, terms);
}

export interface Earned {
  /** Hashes the work stands for. */
  hashes: number;
  /** Coins it earns in expectation, after the pool fee. */
  coins: number;
}

/**
 * Realised earnings from verified work: every share the coordinator re-hashed
 * proves d × hashes-per-diff1 hashes of its algorithm, whatever the device claims.
 */
export function earnedFromVerifiedShares(algo: MiningAlgo, shareDifficulties: Iterable<number>, networkDifficulty: number, reward: BlockReward, terms: PayoutTerms): Earned {
  const hashes = hashesFromShares(algo, shareDifficulties);
  return { hashes, coins: expectedCoins(hashes, networkDifficulty, reward, terms) };
}

/** Earnings as the pool books them: accepted shares at the pool's difficulty. */
export function earnedFromPoolShares(algo: MiningAlgo, acceptedShares: number, poolDifficulty: number, networkDifficulty: number, reward: BlockReward, terms: PayoutTerms): Earned {
  assertNonNegative('accepted shares', acceptedShares);
  const hashes = acceptedShares === 0 ? 0 : acceptedShares * hashesPerShare(algo, poolDifficulty);
  return { hashes, coins: expectedCoins(hashes, networkDifficulty, reward, terms) };
}
