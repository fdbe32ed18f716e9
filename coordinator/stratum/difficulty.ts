// Difficulty ↔ target conversions as pools use them (sha256d unless an algo is
// given). "Pool difficulty 1" is the
// target 0x00000000FFFF0000…0 (the truncated Bitcoin difficulty-1 target,
// nBits 0x1d00ffff); mining.set_difficulty(d) means "share target = diff1 / d"
// (Stratum V1 docs, mining.set_difficulty). Targets are 256-bit big-endian
// numbers compared against the display-order hash (../shared/vectors/README.md).

export const DIFF1_TARGET = 0x00000000ffff0000000000000000000000000000000000000000000000000000n;
export const MAX_TARGET = (1n << 256n) - 1n;

/** The algorithms a pool job can be carved for. */
export type PoolAlgo = 'sha256d' | 'scrypt';

/**
 * Difficulty 1 of a pool's share difficulty. scrypt pools (Litecoin, Dogecoin)
 * state share difficulty 2^16 times easier than sha256d pools: pooler/cpuminer
 * stratum_gen_work() sets `diff_to_target(work->target, sctx->job.diff / 65536.0)`
 * for scrypt, cgminer 3.7 set_target() multiplies by 65536 under --scrypt, and
 * node-stratum-pool declares `scrypt: { multiplier: Math.pow(2, 16) }`. So a
 * scrypt share at difficulty d is a hash ≤ (DIFF1 × 2^16) / d.
 */
export function diff1Target(algo: PoolAlgo = 'sha256d'): bigint {
  return algo === 'scrypt' ? DIFF1_TARGET << 16n : DIFF1_TARGET;
}

/** Hashes one difficulty-1 share costs on average: 2^32 for sha256d, 2^16 for scrypt. */
export function hashesPerDifficulty(algo: PoolAlgo = 'sha256d'): number {
  return algo === 'scrypt' ? 2 ** 16 : 2 ** 32;
}

/** Splits a positive finite double into integer m and exponent e with d = m·2^e exactly. */
function decompose(d: number): { m: bigint; e: number } {
  let e = 0;
  let m = d;
  while (!Number.isInteger(m)) { m *= 2; e -= 1; }
  while (m > Number.MAX_SAFE_INTEGER) { m /= 2; e += 1; }
  return { m: BigInt(m), e };
}

/**
 * Share target of a pool difficulty, exact for any double (fractional
 * difficulties such as 0.001 are common on test pools); clamped to 2^256−1.
 */
export function difficultyToTarget(difficulty: number, algo: PoolAlgo = 'sha256d'): bigint {
  if (!(typeof difficulty === 'number' && Number.isFinite(difficulty) && difficulty > 0)) {
    throw new RangeError(`difficulty must be a finite number > 0, got ${difficulty}`);
  }
  const { m, e } = decompose(difficulty);
  const one = diff1Target(algo);
  const t = e < 0 ? (one << BigInt(-e)) / m : one / (m << BigInt(e));
  return t > MAX_TARGET ? MAX_TARGET : t < 1n ? 1n : t;
}

/** Pool difficulty of a target (or of a hash: a share's difficulty is diff1 / hash). */
export function targetToDifficulty(target: bigint, algo: PoolAlgo = 'sha256d'): number {
  if (target <= 0n) return Infinity;
  // Number(bigint) rounds to the nearest double, so the quotient keeps 53 bits.
  return Number(diff1Target(algo)) / Number(target);
}

export function targetToHex(target: bigint): string {
  return target.toString(16).padStart(64, '0');
}

export function hexToTarget(hex: string): bigint {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new RangeError('a target must be 64 hex characters');
  return BigInt(`0x${hex}`);
}

/** Expected hashes to find one hash ≤ target: 2^256 / (target + 1). */
export function hashesPerShare(target: bigint): number {
  return 2 ** 256 / (Number(target) + 1);
}

/** The target at which a miner of `hashrate` H/s finds one share per `seconds` on average. */
export function targetForRate(hashrateHps: number, seconds: number): bigint {
  const expected = Math.max(1, hashrateHps * seconds);
  // 2^256 / expected − 1, computed as bigint via the exact double decomposition.
  const { m, e } = decompose(expected);
  const t = e < 0 ? ((1n << 256n) << BigInt(-e)) / m : (1n << 256n) / (m << BigInt(e));
  const out = t - 1n;
  return out > MAX_TARGET ? MAX_TARGET : out < 1n ? 1n : out;
}
