// Shared fixtures for coordinator tests.
//
// Most tests need *a* real pool job, not a particular one: they get the Bitcoin
// genesis block cut into a Stratum job (public chain facts, in the repository:
// test/fixtures/chain.ts GENESIS_JOB), as a SourceJob (publicJob), a notify line
// (NOTIFY_RAW) or a whole pool script (publicScript). Tests that check facts of
// the recorded public-pool session (its exact submit, header and hash) read
// ../shared/vectors/stratum-v1.json through recording(), lazily, and carry
// `needsRecording` so that they alone skip in a clone without ../shared.
import { parseNotify, parseStratumLine } from '../../../coordinator/stratum/messages.ts';
import { difficultyToTarget } from '../../../coordinator/stratum/difficulty.ts';
import { referenceSha256dAt } from '../../../coordinator/shareHash.ts';
import type { SourceJob } from '../../../coordinator/source.ts';
import type { CarvedUnit } from '../../../coordinator/carving.ts';
import { GENESIS_JOB } from '../../fixtures/chain.ts';
import { needsShared, readShared } from '../../helpers/shared.ts';
import type { ServerScript } from './stratumServer.ts';

/** The genesis job's mining.notify line, as a pool writes it. */
export const NOTIFY_RAW = JSON.stringify({ id: null, method: 'mining.notify', params: GENESIS_JOB.notifyParams });
/** The version-rolling mask the pool stand-ins grant (BIP310's usual 0x1fffe000). */
export const MASK_HEX = '1fffe000';
/** The worker name the rig's coordinator logs in with. */
export const WORKER = 'bc1qhashlingtest.rig1';

/**
 * A pool session serving the genesis job at difficulty 512 with the genesis
 * extranonce1: subscribe, configure (version rolling) and the greeting.
 */
export function publicScript(): ServerScript {
  const en1 = GENESIS_JOB.extranonce1;
  return {
    subscribeResult: [[['mining.notify', en1]], en1, GENESIS_JOB.extranonce2Size],
    configureResult: { 'version-rolling': true, 'version-rolling.mask': MASK_HEX },
    greeting: [JSON.stringify({ id: null, method: 'mining.set_difficulty', params: [512] }), NOTIFY_RAW],
  };
}

let seq = 0;
function sourceJob(notifyRaw: string, extranonce1: string, over: Partial<SourceJob>): SourceJob {
  const template = parseNotify((parseStratumLine(notifyRaw) as { params: unknown[] }).params);
  seq++;
  return {
    id: `t${seq}-1`, algo: 'sha256d', poolJobId: '1', template, extranonce1, extranonce2Size: 4, versionMask: 0x1fffe000,
    poolTarget: difficultyToTarget(512), clean: true, replaces: null, receivedAt: 0, ...over,
  };
}

/** The genesis job as the pool set hands it to the dispatcher (difficulty 512, version rolling). */
export function publicJob(over: Partial<SourceJob> = {}): SourceJob {
  return sourceJob(NOTIFY_RAW, GENESIS_JOB.extranonce1, over);
}

/** The recorded session's file under ../shared. */
export const RECORDING = 'vectors/stratum-v1.json';
/** node:test options of a test that needs the recording: one-line skip without ../shared. */
export const needsRecording = needsShared(RECORDING);

// The recording's fields as the tests use them (it is third-party JSON, typed loosely).
let cached: { vectors: any[]; rec: any; merkleOnly: any } | null = null;
/** The recorded session (read on first use): the accepted share and ESP-Miner's merkle vector. */
export function recording(): { vectors: any[]; rec: any; merkleOnly: any } {
  if (!cached) {
    const vectors = JSON.parse(readShared(RECORDING)) as any[];
    cached = { vectors, rec: vectors.find((v) => v.kind === 'stratum_v1_share'), merkleOnly: vectors.find((v) => v.kind === 'stratum_v1_merkle_only') };
  }
  return cached;
}

/** The recorded public-pool job as a SourceJob (difficulty 512, its extranonce1). */
export function recordedJob(over: Partial<SourceJob> = {}): SourceJob {
  const { rec } = recording();
  return sourceJob(rec.notify_raw, rec.extranonce1, over);
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
