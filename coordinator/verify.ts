// Verification of one share claim from a device. Trust no device: the unit must
// exist, belong to that device and to a job the pool still wants; the nonce must
// lie in the unit's range; the hash is recomputed with the same reference code
// the agent uses (AlgoModule.hashAt) and must equal the claim and meet the
// unit's target; and the same (unit, nonce) counts once. Pure: the unit table,
// job liveness and the hash function are passed in.
import type { KernelJob } from '../kernels/types.ts';
import type { ShareClaim } from '../protocol/payloads.ts';

export type { ShareClaim } from '../protocol/payloads.ts';
import type { CarvedUnit } from './carving.ts';

export const REJECT_REASONS = [
  'bad_hash', 'above_target', 'unknown_unit', 'wrong_device', 'duplicate', 'stale', 'out_of_range', 'malformed',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export interface UnitRecord {
  unit: CarvedUnit;
  /** Nonces already accepted for this unit. */
  accepted: Set<number>;
}

export type HashAt = (job: KernelJob, nonce: number) => Uint8Array;

export type Verdict =
  | { ok: true; record: UnitRecord; hash: string; hashValue: bigint }
  | { ok: false; reason: RejectReason; detail: string };

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export interface VerifyContext {
  lookup(unitId: string): UnitRecord | undefined;
  isJobLive(jobId: string): boolean;
  hashAt: HashAt;
}

/** The order puts cheap table checks before the hash, so junk costs no SHA-256. */
export function verifyShare(deviceId: string, claim: ShareClaim, ctx: VerifyContext): Verdict {
  const record = ctx.lookup(claim.unit_id);
  if (!record || record.unit.job.id !== claim.job_id) {
    return { ok: false, reason: 'unknown_unit', detail: `no unit ${claim.unit_id} of job ${claim.job_id}` };
  }
  const u = record.unit;
  if (u.deviceId !== deviceId) return { ok: false, reason: 'wrong_device', detail: `unit ${u.unitId} was issued to another device` };
  // A job replaced by a clean job, or whose pool job id was reused for another
  // job, is dead: its shares are stale, never checked against the new header.
  if (!ctx.isJobLive(u.job.id)) return { ok: false, reason: 'stale', detail: `job ${u.job.id} was replaced` };
  if (claim.nonce < u.nonceStart || claim.nonce > u.nonceEnd) {
    return { ok: false, reason: 'out_of_range', detail: `nonce ${claim.nonce} outside ${u.nonceStart}..${u.nonceEnd}` };
  }
  if (record.accepted.has(claim.nonce)) return { ok: false, reason: 'duplicate', detail: `nonce ${claim.nonce} of ${u.unitId} already counted` };
  const digest = hex(ctx.hashAt({ algo: u.job.algo, header: u.header, target: new Uint8Array(32) }, claim.nonce));
  if (digest !== claim.hash) return { ok: false, reason: 'bad_hash', detail: `nonce ${claim.nonce} hashes to ${digest}` };
  const value = BigInt(`0x${digest}`);
  if (value > u.target) return { ok: false, reason: 'above_target', detail: `hash ${digest} above the unit target` };
  record.accepted.add(claim.nonce);
  return { ok: true, record, hash: digest, hashValue: value };
}
