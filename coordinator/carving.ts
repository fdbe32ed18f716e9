// Carving pool jobs into work units. Every unit gets its own header coordinates
// — an extranonce2 and, when the pool allows BIP310 version rolling, a set of
// rolled version bits — so no two units and no two devices ever hash the same
// header, and a unit that is abandoned (device gone, unit expired) is never
// reissued. Nonce ranges then always start at 0 and are sized to the device.
//
// The extranonce2 space belongs to the pool session (one extranonce1), not to a
// job: public-pool re-sends the same template (same coinbase, same ntime) under a
// new job id on every difficulty change, so a counter restarting per job handed
// out byte-identical headers, and repeated shares reached the pool as duplicate
// blocks. The counter therefore runs on across every job of the session.
import { buildCoinbase, buildHeader, merkleRoot, rollVersion } from './stratum/header.ts';
import type { SourceJob } from './source.ts';

export const NONCE_SPACE = 2 ** 32;

export interface CarvedUnit {
  unitId: string;
  job: SourceJob;
  deviceId: string;
  /** Hex, extranonce2_size bytes. */
  extranonce2: string;
  /** Rolled version bits (inside job.versionMask) that this unit's header carries. */
  versionBits: number;
  /** 80-byte header, nonce bytes zero. */
  header: Buffer;
  nonceStart: number;
  nonceEnd: number;
  /** Share target of this unit (vardiff), never harder than the pool target. */
  target: bigint;
  issuedAt: number;
  expiresAt: number;
  clean: boolean;
}

export interface CarveRequest {
  deviceId: string;
  nonceCount: number;
  target: bigint;
  now: number;
  expiresAt: number;
  clean: boolean;
}

export interface CarverOptions {
  /** First extranonce2 index of a session (tests replay a recorded share with it). Default 0. */
  firstExtranonce2?: bigint;
  /** Fixed version bits for every unit instead of rolling (tests replay a recorded share). */
  versionBits?: number;
  /**
   * Prepended to unit ids. Job ids repeat across coordinator restarts (demo
   * jobs count from 1, Stratum sessions from 1, pools reuse job ids), and an
   * agent ignores a unit_id it has seen: without a per-instance prefix a
   * restarted coordinator's first units were all dropped as duplicates.
   */
  unitIdPrefix?: string;
  /**
   * Leave the extranonce2 values whose first byte has its top bit set to the
   * Stratum endpoint, which gives each miner such a first byte (and more) as its
   * extranonce1 (coordinator/endpoint). Off when the endpoint is off.
   */
  minerLanes?: boolean;
  /** Most version bits rolled per extranonce2 (2^n units share one coinbase). Default 8. */
  maxRolledBits?: number;
}

/**
 * Extranonce2 is a little-endian counter of extranonce2_size bytes, the encoding
 * cpuminer and Bitaxe use (the recorded Bitaxe share's "c7080000" is unit 2247).
 */
export function encodeExtranonce2(counter: bigint, size: number): string {
  let hex = '';
  let c = counter;
  for (let i = 0; i < size; i++) { hex += Number(c & 0xffn).toString(16).padStart(2, '0'); c >>= 8n; }
  return hex;
}

/**
 * The extranonce2 space of one pool session (one extranonce1 and size): hands
 * out each extranonce2 once. With miner lanes the first byte stays below 0x80
 * (index i → first byte i mod 128, the rest i div 128), so the agents' half and
 * the endpoint miners' half never meet.
 */
export class Extranonce2Space {
  readonly size: number;
  private next: bigint;
  private readonly limit: bigint;
  private readonly minerLanes: boolean;

  constructor(size: number, opts: { first?: bigint; minerLanes?: boolean } = {}) {
    this.size = size;
    this.minerLanes = opts.minerLanes === true;
    this.limit = (1n << BigInt(8 * size)) >> (this.minerLanes ? 1n : 0n);
    this.next = opts.first ?? 0n;
  }

  get remaining(): bigint {
    return this.next >= this.limit ? 0n : this.limit - this.next;
  }

  /** The next unused extranonce2 as hex, or null when the session's space is used up. */
  take(): { index: bigint; hex: string } | null {
    if (this.next >= this.limit) return null;
    const index = this.next++;
    const value = this.minerLanes ? ((index >> 7n) << 8n) | (index & 0x7fn) : index;
    return { index, hex: encodeExtranonce2(value, this.size) };
  }
}

/**
 * Version-bit patterns to roll for a job: every combination of the lowest
 * `maxBits` bits that the mask allows and the job's version has clear, so a
 * rolled version is always job_version | pattern. When the job version has no
 * bit inside the mask (0x20000000 against 1fffe000, the usual case) a pool
 * applying BIP310 as (version & ~mask) | bits and one XORing the bits in (as
 * public-pool does) rebuild the same header. Pattern 0 (no rolling) comes first.
 */
export function rollingPatterns(version: number, mask: number | null, maxBits: number): number[] {
  if (mask === null || maxBits <= 0) return [0];
  const free = (mask & ~version) >>> 0;
  const positions: number[] = [];
  for (let b = 0; b < 32 && positions.length < maxBits; b++) if ((free >>> b) & 1) positions.push(b);
  const out: number[] = [];
  for (let k = 0; k < 2 ** positions.length; k++) {
    let bits = 0;
    positions.forEach((p, i) => { if ((k >>> i) & 1) bits |= 1 << p; });
    out.push(bits >>> 0);
  }
  return out;
}

/** Nonces for `seconds` of work at `hashrate`, at least 1, at most the whole 32-bit space. */
export function unitNonceCount(hashrateHps: number, seconds: number): number {
  const n = Math.round(hashrateHps * seconds);
  if (!Number.isFinite(n) || n < 1) return 1;
  return Math.min(NONCE_SPACE, n);
}

/**
 * Carves one job. Each extranonce2 it takes from the session's space serves as
 * many units as there are version patterns (one coinbase and merkle root for all
 * of them), then the next is taken.
 */
export class JobCarver {
  readonly job: SourceJob;
  private readonly space: Extranonce2Space;
  private readonly patterns: number[];
  private readonly prefix: string;
  private current: { index: bigint; hex: string; root: Buffer } | null = null;
  private variant = 0;

  constructor(job: SourceJob, space: Extranonce2Space, opts: CarverOptions = {}) {
    this.job = job;
    this.space = space;
    this.prefix = opts.unitIdPrefix ? `${opts.unitIdPrefix}-` : '';
    this.patterns = opts.versionBits !== undefined
      ? [job.versionMask === null ? 0 : (opts.versionBits & job.versionMask) >>> 0]
      : rollingPatterns(job.template.version, job.versionMask, opts.maxRolledBits ?? 8);
  }

  /** Units per extranonce2 (1 when the pool did not grant version rolling). */
  get unitsPerExtranonce2(): number {
    return this.patterns.length;
  }

  /** The next unit, or null when the session's extranonce2 space is used up. */
  carve(req: CarveRequest): CarvedUnit | null {
    if (this.current === null || this.variant >= this.patterns.length) {
      const en2 = this.space.take();
      if (!en2) return null;
      const t = this.job.template;
      this.current = { ...en2, root: merkleRoot(buildCoinbase(t, this.job.extranonce1, en2.hex), t.merkleBranch) };
      this.variant = 0;
    }
    const v = this.variant++;
    const { index, hex: extranonce2, root } = this.current;
    const t = this.job.template;
    const mask = this.job.versionMask;
    // The bits submitted carry the job version's own bits inside the mask, so a
    // BIP310 pool's (version & ~mask) | bits rebuilds exactly version | pattern.
    const versionBits = mask === null ? 0 : ((t.version & mask) | this.patterns[v]!) >>> 0;
    const version = mask === null ? t.version : rollVersion(t.version, versionBits, mask);
    const header = buildHeader({ version, prevhash: t.prevhash, merkleRoot: root, ntime: t.ntime, nbits: t.nbits });
    const count = Math.min(NONCE_SPACE, Math.max(1, Math.floor(req.nonceCount)));
    const suffix = this.patterns.length > 1 ? `.${v.toString(36)}` : '';
    return {
      unitId: `${this.prefix}${this.job.id}-${index.toString(36)}${suffix}`,
      job: this.job,
      deviceId: req.deviceId,
      extranonce2,
      versionBits,
      header,
      nonceStart: 0,
      nonceEnd: count - 1,
      target: req.target,
      issuedAt: req.now,
      expiresAt: req.expiresAt,
      clean: req.clean,
    };
  }
}
