// Work for Stratum miners behind the coordinator, the way a farm proxy splits
// its upstream extranonce2: upstream coinbase = coinb1 ‖ extranonce1 ‖
// extranonce2 ‖ coinb2 with extranonce2 = prefix ‖ miner_extranonce2, so a miner
// gets coinb1' = coinb1 ‖ extranonce1 (per job), extranonce1' = its prefix, and
// extranonce2_size' = extranonce2_size − prefix bytes. Prefixes have the top bit
// of their first byte set; the agents' units never do (carving.ts, miner lanes),
// so miners and agents never share a header. Pure: no sockets.
import type { HashAt } from '../verify.ts';
import type { ShareSubmission, SourceJob } from '../source.ts';
import { difficultyToTarget, type PoolAlgo } from '../stratum/difficulty.ts';
import { headerForJob, u32Hex } from '../stratum/header.ts';

/** Prefix bytes for an upstream extranonce2 size: 2 when that leaves the miner ≥ 2 bytes, else 1. */
export function prefixBytes(upstreamSize: number): number {
  return upstreamSize >= 4 ? 2 : 1;
}

/**
 * Hands out miner prefixes (hex of `bytes` bytes, first byte ≥ 0x80) round
 * robin, skipping those in use, so a prefix comes back only after every other
 * one was used (32768 with 2 bytes, 128 with 1).
 */
export class PrefixPool {
  private next = 0;
  private readonly used = new Set<string>();

  take(bytes: number): string | null {
    const count = 128 * 256 ** (bytes - 1);
    for (let k = 0; k < count; k++) {
      const i = (this.next + k) % count;
      const first = 0x80 + Math.floor(i / 256 ** (bytes - 1));
      const rest = i % 256 ** (bytes - 1);
      const hex = first.toString(16) + (bytes > 1 ? rest.toString(16).padStart(2 * (bytes - 1), '0') : '');
      if (this.used.has(hex)) continue;
      this.used.add(hex);
      this.next = (i + 1) % count;
      return hex;
    }
    return null;
  }

  release(hex: string): void {
    this.used.delete(hex);
  }
}

/** A job as the endpoint announced it to miners. */
export interface MinerJob {
  /** The endpoint's own job id (hex counter): unique, whatever ids the pool reuses. */
  id: string;
  source: SourceJob;
}

/** mining.notify params of a job for a miner (all hex padded, lowercase). */
export function notifyParams(job: MinerJob, clean: boolean): unknown[] {
  const t = job.source.template;
  return [job.id, t.prevhash, t.coinb1 + job.source.extranonce1, t.coinb2, t.merkleBranch, u32Hex(t.version), u32Hex(t.nbits), u32Hex(t.ntime), clean];
}

export type MinerRejectReason = 'stale' | 'duplicate' | 'low_difficulty' | 'malformed' | 'bad_ntime' | 'bad_version' | 'unauthorized';

/** Stratum error codes (slushpool docs: 20 other, 21 job not found, 22 duplicate, 23 low difficulty, 24 unauthorized). */
export const MINER_ERROR_CODES: Record<MinerRejectReason, number> = {
  stale: 21, duplicate: 22, low_difficulty: 23, unauthorized: 24, malformed: 20, bad_ntime: 20, bad_version: 20,
};

export interface MinerShareContext {
  /** Worker names this connection authorized. */
  workers: ReadonlySet<string>;
  prefix: string;
  extranonce2Size: number;
  /** Version-rolling mask granted to this miner (null: none). */
  versionMask: number | null;
  algo: PoolAlgo;
  job(id: string): MinerJob | undefined;
  isLive(id: string): boolean;
  /** The miner's difficulty when the job was sent and now: a share meeting the easier counts. */
  difficulties(jobId: string): number[];
  /** Keys of shares already counted (per job); the check adds to it. */
  seen: Set<string>;
  hashAt: HashAt;
}

export type MinerShareVerdict =
  | { ok: false; reason: MinerRejectReason; message: string }
  | { ok: true; hash: string; difficulty: number; forward: ShareSubmission | null; hashValue: bigint };

const HEX = (n: number) => new RegExp(`^[0-9a-fA-F]{${n}}$`);

/**
 * Checks a mining.submit [worker, job_id, extranonce2, ntime, nonce, version_bits?]
 * by rebuilding the header and re-hashing it (never trusting the miner).
 * `poolTarget` is what upstream wants now; a share meeting the job's pool target
 * and it is forwarded.
 */
export function checkMinerSubmit(params: unknown[], ctx: MinerShareContext, poolTarget: bigint | null): MinerShareVerdict {
  const [worker, jobId, en2, ntimeHex, nonceHex, vbitsHex] = params;
  if (typeof worker !== 'string' || !ctx.workers.has(worker)) return { ok: false, reason: 'unauthorized', message: 'Unauthorized worker' };
  if (typeof jobId !== 'string' || typeof en2 !== 'string' || typeof ntimeHex !== 'string' || typeof nonceHex !== 'string') {
    return { ok: false, reason: 'malformed', message: 'submit needs worker, job_id, extranonce2, ntime, nonce' };
  }
  const job = ctx.job(jobId);
  if (!job || !ctx.isLive(jobId)) return { ok: false, reason: 'stale', message: 'Job not found' };
  if (!HEX(ctx.extranonce2Size * 2).test(en2)) return { ok: false, reason: 'malformed', message: `extranonce2 must be ${ctx.extranonce2Size} bytes of hex` };
  if (!HEX(8).test(ntimeHex) || !HEX(8).test(nonceHex)) return { ok: false, reason: 'malformed', message: 'ntime and nonce must be 8 hex digits' };
  const t = job.source.template;
  const ntime = parseInt(ntimeHex, 16) >>> 0;
  // ckpool's window: ntime may roll forward, never back (stratifier.c, "Ntime out of range").
  if (ntime < t.ntime || ntime > t.ntime + 7000) return { ok: false, reason: 'bad_ntime', message: 'Ntime out of range' };
  let versionBits = 0;
  if (vbitsHex !== undefined) {
    if (typeof vbitsHex !== 'string' || !HEX(8).test(vbitsHex)) return { ok: false, reason: 'malformed', message: 'version bits must be 8 hex digits' };
    versionBits = parseInt(vbitsHex, 16) >>> 0;
    const mask = ctx.versionMask === null || job.source.versionMask === null ? 0 : (ctx.versionMask & job.source.versionMask) >>> 0;
    if ((versionBits & ~mask) >>> 0 !== 0) return { ok: false, reason: 'bad_version', message: 'Invalid version bits' };
  }
  const nonce = parseInt(nonceHex, 16) >>> 0;
  const key = `${jobId}/${en2.toLowerCase()}/${ntime}/${nonce}/${versionBits}`;
  if (ctx.seen.has(key)) return { ok: false, reason: 'duplicate', message: 'Duplicate share' };
  const extranonce2 = ctx.prefix + en2.toLowerCase();
  const header = headerForJob(t, {
    extranonce1: job.source.extranonce1, extranonce2, versionBits, versionMask: versionBits === 0 ? null : job.source.versionMask, ntime,
  });
  const digest = Buffer.from(ctx.hashAt({ algo: ctx.algo, header, target: new Uint8Array(32) }, nonce)).toString('hex');
  const value = BigInt(`0x${digest}`);
  const easiest = Math.min(...ctx.difficulties(jobId));
  if (value > difficultyToTarget(easiest, ctx.algo)) return { ok: false, reason: 'low_difficulty', message: 'Low difficulty share' };
  ctx.seen.add(key);
  const forward = value <= job.source.poolTarget && (poolTarget === null || value <= poolTarget)
    ? { job: job.source, extranonce2, versionBits, nonce, ntime, hashValue: value }
    : null;
  return { ok: true, hash: digest, difficulty: easiest, forward, hashValue: value };
}
