// Carving one pool job into work units. Every unit gets its own extranonce2, so
// its coinbase, merkle root and header differ from every other unit's: two
// devices (or two units of one device) can never hash the same header, and a
// unit that is abandoned (device gone, unit expired) is simply never reissued —
// extranonce2 space (2^32 units per job with the usual 4 bytes) is cheap.
// Nonce ranges then always start at 0 and are sized to the device.
import { headerForJob } from './stratum/header.ts';
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
  /** First extranonce2 counter value (tests replay a recorded share with it). Default 0. */
  firstExtranonce2?: bigint;
  /** Version bits given to every unit when the pool negotiated rolling. Default 0. */
  versionBits?: number;
  /**
   * Prepended to unit ids. Job ids repeat across coordinator restarts (demo
   * jobs count from 1, Stratum sessions from 1, pools reuse job ids), and an
   * agent ignores a unit_id it has seen: without a per-instance prefix a
   * restarted coordinator's first units were all dropped as duplicates.
   */
  unitIdPrefix?: string;
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

/** Nonces for `seconds` of work at `hashrate`, at least 1, at most the whole 32-bit space. */
export function unitNonceCount(hashrateHps: number, seconds: number): number {
  const n = Math.round(hashrateHps * seconds);
  if (!Number.isFinite(n) || n < 1) return 1;
  return Math.min(NONCE_SPACE, n);
}

export class JobCarver {
  readonly job: SourceJob;
  private counter: bigint;
  private readonly limit: bigint;
  private readonly versionBits: number;
  private readonly prefix: string;

  constructor(job: SourceJob, opts: CarverOptions = {}) {
    this.job = job;
    this.prefix = opts.unitIdPrefix ? `${opts.unitIdPrefix}-` : '';
    this.counter = opts.firstExtranonce2 ?? 0n;
    this.limit = 1n << BigInt(8 * job.extranonce2Size);
    this.versionBits = job.versionMask === null ? 0 : (opts.versionBits ?? 0) & job.versionMask;
  }

  /** Units this job can still give out. */
  get remaining(): bigint {
    return this.limit - this.counter;
  }

  /** The next unit, or null when the job's extranonce2 space is used up. */
  carve(req: CarveRequest): CarvedUnit | null {
    if (this.counter >= this.limit) return null;
    const n = this.counter++;
    const extranonce2 = encodeExtranonce2(n, this.job.extranonce2Size);
    const header = headerForJob(this.job.template, {
      extranonce1: this.job.extranonce1, extranonce2, versionBits: this.versionBits, versionMask: this.job.versionMask,
    });
    const count = Math.min(NONCE_SPACE, Math.max(1, Math.floor(req.nonceCount)));
    return {
      unitId: `${this.prefix}${this.job.id}-${n.toString(36)}`,
      job: this.job,
      deviceId: req.deviceId,
      extranonce2,
      versionBits: this.versionBits,
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
