// Shared fixtures for coordinator tests: the recorded pool job as a SourceJob and a
// CPU "device" that scans a unit with the reference hash.
import { readFileSync } from 'node:fs';
import { parseNotify, parseStratumLine } from '../../../coordinator/stratum/messages.ts';
import { difficultyToTarget } from '../../../coordinator/stratum/difficulty.ts';
import { referenceSha256dAt } from '../../../coordinator/shareHash.ts';
import type { SourceJob } from '../../../coordinator/source.ts';
import type { CarvedUnit } from '../../../coordinator/carving.ts';

export const vectors = JSON.parse(readFileSync(new URL('../../../../shared/vectors/stratum-v1.json', import.meta.url), 'utf8'));
export const rec = vectors.find((v: { kind: string }) => v.kind === 'stratum_v1_share');

let seq = 0;
export function recordedJob(over: Partial<SourceJob> = {}): SourceJob {
  const template = parseNotify((parseStratumLine(rec.notify_raw) as { params: unknown[] }).params);
  seq++;
  return {
    id: `t${seq}-1`, algo: 'sha256d', poolJobId: '1', template, extranonce1: rec.extranonce1, extranonce2Size: 4, versionMask: 0x1fffe000,
    poolTarget: difficultyToTarget(512), clean: true, replaces: null, receivedAt: 0, ...over,
  };
}

/** Every share of a unit (nonces in range whose hash ≤ the unit target), by brute force. */
export function scanUnit(u: CarvedUnit, limit = Infinity): Array<{ nonce: number; hash: string }> {
  const out: Array<{ nonce: number; hash: string }> = [];
  const job = { algo: 'sha256d' as const, header: u.header, target: new Uint8Array(32) };
  const end = Math.min(u.nonceEnd, u.nonceStart + limit - 1);
  for (let n = u.nonceStart; n <= end; n++) {
    const h = Buffer.from(referenceSha256dAt(job, n)).toString('hex');
    if (BigInt(`0x${h}`) <= u.target) out.push({ nonce: n, hash: h });
  }
  return out;
}

export function shareClaim(u: CarvedUnit, s: { nonce: number; hash: string }) {
  return { unit_id: u.unitId, job_id: u.job.id, nonce: s.nonce, hash: s.hash };
}
