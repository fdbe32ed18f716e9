// How many hashes a difficulty stands for. Two conventions, and mixing them up
// is off by 65 536 without failing loudly:
//
// - Network difficulty (what nBits encodes and getdifficulty reports) is
//   diff1 / target with diff1 = 0x00000000FFFF << 208 (nBits 0x1d00ffff), for
//   Bitcoin and for the scrypt coins alike: Litecoin and Dogecoin kept
//   Bitcoin's GetDifficulty unchanged. One block at difficulty D costs
//   D × 2^32 hashes on average (2^256 / (diff1 + 1) = 2^32 × 65536/65535 ≈ 2^32;
//   the 1.5e-5 difference is below every other error here and is what every
//   pool and Coin Metrics' HashRate series use: HashRate = D × 2^32 × blocks / 86400).
// - Pool share difficulty (mining.set_difficulty): sha256d pools use the same
//   diff1, so a share of difficulty d costs d × 2^32 hashes. Scrypt pools state
//   difficulty against a target 2^16 times easier, so a scrypt share of
//   difficulty d costs d × 2^16 hashes: cgminer 3.7.2 set_target()
//   (`if (opt_scrypt) d64 *= 65536`), pooler/cpuminer stratum_gen_work()
//   (`diff_to_target(work->target, sctx->job.diff / 65536.0)`), node-stratum-pool
//   (scrypt multiplier 2^16), Miningcore's litecoin/dogecoin "shareMultiplier": 65536.

export type MiningAlgo = 'sha256d' | 'scrypt';
export const MINING_ALGOS: readonly MiningAlgo[] = ['sha256d', 'scrypt'];

/** Hashes per unit of network difficulty, every supported coin. */
export const NETWORK_HASHES_PER_DIFF1 = 2 ** 32;

/** Hashes per unit of pool share difficulty, per algorithm (see above). */
export const SHARE_HASHES_PER_DIFF1: Readonly<Record<MiningAlgo, number>> = { sha256d: 2 ** 32, scrypt: 2 ** 16 };

/** The network's difficulty-1 target (nBits 0x1d00ffff). */
export const NETWORK_DIFF1_TARGET = 0xffffn << 208n;

function positiveFinite(name: string, x: number): number {
  if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0) throw new RangeError(`${name} must be a finite number > 0, got ${x}`);
  return x;
}

export function isMiningAlgo(x: unknown): x is MiningAlgo {
  return x === 'sha256d' || x === 'scrypt';
}

/** Expected hashes to find one block at network difficulty `difficulty`. */
export function hashesPerBlock(difficulty: number): number {
  return positiveFinite('network difficulty', difficulty) * NETWORK_HASHES_PER_DIFF1;
}

/** Expected hashes behind one share of pool difficulty `d` for `algo`. */
export function hashesPerShare(algo: MiningAlgo, d: number): number {
  return positiveFinite('share difficulty', d) * SHARE_HASHES_PER_DIFF1[algo];
}

/** Σ d × hashes-per-diff1 over verified shares: the work they prove, in hashes. */
export function hashesFromShares(algo: MiningAlgo, shareDifficulties: Iterable<number>): number {
  let sum = 0;
  for (const d of shareDifficulties) sum += hashesPerShare(algo, d);
  return sum;
}

/**
 * The 256-bit target of a compact nBits (Bitcoin Core arith_uint256::SetCompact):
 * mantissa × 256^(exponent − 3). The sign bit (0x00800000) and a zero mantissa
 * are invalid for a block header.
 */
export function nbitsToTarget(nbits: number): bigint {
  if (!Number.isInteger(nbits) || nbits < 0 || nbits > 0xffffffff) throw new RangeError(`nbits must be a u32, got ${nbits}`);
  const exponent = nbits >>> 24;
  const mantissa = nbits & 0x007fffff;
  if ((nbits & 0x00800000) !== 0 || mantissa === 0) throw new RangeError(`nbits 0x${nbits.toString(16)} is negative or zero`);
  const t = exponent <= 3 ? BigInt(mantissa >>> (8 * (3 - exponent))) : BigInt(mantissa) << BigInt(8 * (exponent - 3));
  if (t === 0n || t >= 1n << 256n) throw new RangeError(`nbits 0x${nbits.toString(16)} is outside the 256-bit range`);
  return t;
}

/** Network difficulty of an nBits value (Bitcoin Core GetDifficulty). */
export function nbitsToDifficulty(nbits: number): number {
  nbitsToTarget(nbits); // validates
  // GetDifficulty: 0xffff / mantissa × 256^(29 − exponent), in doubles as Core does.
  let shift = (nbits >>> 24) & 0xff;
  let d = 0x0000ffff / (nbits & 0x00ffffff);
  while (shift < 29) { d *= 256; shift++; }
  while (shift > 29) { d /= 256; shift--; }
  return d;
}
