// The block reward a Stratum job pays, read from its coinbase transaction.
// mining.notify sends the coinbase split around the extranonce:
//   coinbase = coinb1 ‖ extranonce1 ‖ extranonce2 ‖ coinb2
// in the legacy (non-witness) serialization (Bitcoin developer reference,
// "Raw transaction format"; BIP141 leaves the coinbase's txid form unchanged):
//   version u32 ‖ varint #inputs (1) ‖ prevout (32 zero bytes, 0xffffffff)
//   ‖ varint script length ‖ scriptSig ‖ sequence u32
//   ‖ varint #outputs ‖ { value i64 LE, in the coin's smallest unit ‖ varint length ‖ script }*
//   ‖ locktime u32
// The outputs' values add up to subsidy + fees of the pool's block template:
// what the block is worth to whoever finds it. Bitcoin, Litecoin and Dogecoin
// all count 10^8 base units per coin.

export const BASE_UNITS_PER_COIN = 100_000_000n;

class Reader {
  constructor(private readonly b: Buffer, public at = 0) {}
  need(n: number): void {
    if (this.at + n > this.b.length) throw new RangeError(`coinbase ends at byte ${this.b.length}, needed ${this.at + n}`);
  }
  skip(n: number): void { this.need(n); this.at += n; }
  u8(): number { this.need(1); return this.b[this.at++]!; }
  varint(): number {
    const first = this.u8();
    if (first < 0xfd) return first;
    const n = first === 0xfd ? 2 : first === 0xfe ? 4 : 8;
    this.need(n);
    const v = n === 2 ? this.b.readUInt16LE(this.at) : n === 4 ? this.b.readUInt32LE(this.at) : Number(this.b.readBigUInt64LE(this.at));
    this.at += n;
    return v;
  }
  u64(): bigint { this.need(8); const v = this.b.readBigUInt64LE(this.at); this.at += 8; return v; }
}

export interface CoinbaseReward {
  /** Σ output values, base units. */
  base_units: bigint;
  /** The same in coins. */
  coins: number;
  outputs: number;
}

/**
 * Sums the outputs of a job's coinbase. The extranonce bytes only sit inside
 * the scriptSig, so zeros of the right length stand in for them. Throws a
 * RangeError when the bytes are not one coinbase transaction.
 */
export function coinbaseReward(coinb1: string, coinb2: string, extranonceBytes: number): CoinbaseReward {
  const hex = coinb1 + '00'.repeat(extranonceBytes) + coinb2;
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) throw new RangeError('coinbase parts are not hex');
  const r = new Reader(Buffer.from(hex, 'hex'));
  r.skip(4); // version
  const inputs = r.varint();
  if (inputs !== 1) throw new RangeError(`a coinbase has exactly one input, this has ${inputs}`);
  r.skip(36); // prevout
  r.skip(r.varint()); // scriptSig
  r.skip(4); // sequence
  const outputs = r.varint();
  if (outputs === 0 || outputs > 10_000) throw new RangeError(`implausible coinbase output count ${outputs}`);
  let sum = 0n;
  for (let i = 0; i < outputs; i++) {
    sum += r.u64();
    r.skip(r.varint());
  }
  r.skip(4); // locktime
  if (r.at !== Buffer.byteLength(hex, 'hex')) throw new RangeError(`${Buffer.byteLength(hex, 'hex') - r.at} bytes after the coinbase locktime`);
  // 21e14 base units is the Bitcoin supply cap; anything above is not a reward.
  if (sum > 21_000_000n * BASE_UNITS_PER_COIN * 10_000n) throw new RangeError('coinbase outputs exceed any coin supply');
  return { base_units: sum, coins: Number(sum) / Number(BASE_UNITS_PER_COIN), outputs };
}

/**
 * The block height a coinbase commits to (BIP34: the scriptSig starts with a
 * minimal push of the height, little-endian), or null when coinb1 does not
 * reach that far or the push is not a height.
 */
export function bip34Height(coinb1: string): number | null {
  try {
    const b = Buffer.from(coinb1, 'hex');
    const r = new Reader(b);
    r.skip(4);
    if (r.varint() !== 1) return null;
    r.skip(36);
    r.varint();
    const push = r.u8();
    if (push < 1 || push > 4) return null;
    r.need(push);
    return b.readUIntLE(r.at, push);
  } catch {
    return null;
  }
}

/** Subsidy schedules: initial subsidy (base units) halving every `interval` blocks. */
export const SUBSIDY_SCHEDULES: Readonly<Record<string, { initial: bigint; interval: number }>> = {
  // Bitcoin Core GetBlockSubsidy: 50 BTC, halving every 210,000 blocks (testnet3 too).
  btc: { initial: 50n * BASE_UNITS_PER_COIN, interval: 210_000 },
  // Litecoin: 50 LTC, halving every 840,000 blocks.
  ltc: { initial: 50n * BASE_UNITS_PER_COIN, interval: 840_000 },
};

/** Subsidy at `height` in base units, null for a coin without a known schedule. */
export function subsidyAt(coin: string, height: number): bigint | null {
  const s = SUBSIDY_SCHEDULES[coin];
  if (!s || !Number.isInteger(height) || height < 0) return null;
  const halvings = Math.floor(height / s.interval);
  return halvings >= 64 ? 0n : s.initial >> BigInt(halvings);
}
