// What the coordinator needs from an upstream: a stream of Stratum-shaped jobs
// and a way to hand back shares. Both the real pool (stratum/poolSet.ts) and the
// demo source (demoSource.ts) implement it, so carving, verification and
// dispatch are the same code in `npm start` and in production.
import type { EventEmitter } from 'node:events';
import type { PoolAlgo } from './stratum/difficulty.ts';
import type { StratumJobTemplate } from './stratum/messages.ts';

export interface SourceJob {
  /**
   * Unique for the coordinator's lifetime, even when a pool sends the same job
   * id twice (NiceHash may reuse ids after mining.set_extranonce); becomes the
   * units' `job_id`.
   */
  id: string;
  /** Proof of work of the pool's chain: what units are hashed with and shares judged by. */
  algo: PoolAlgo;
  /** The pool's own job id, echoed in mining.submit. */
  poolJobId: string;
  template: StratumJobTemplate;
  extranonce1: string;
  extranonce2Size: number;
  /** BIP310 mask negotiated for the session, null when not rolling. */
  versionMask: number | null;
  /**
   * Target of the difficulty in force when the pool sent this job. ckpool judges
   * a share by it (stratifier.c: old_diff for jobs before diff_change_job_id),
   * public-pool by the difficulty at submit time; a share goes upstream only
   * when it meets both (see JobSource.currentTarget).
   */
  poolTarget: bigint;
  /** True when every earlier job is void (clean_jobs, or a new pool session). */
  clean: boolean;
  /**
   * Id of an earlier job this one replaces because the pool reused its job id:
   * that job is void (the pool now maps the id to this job), its units stale.
   */
  replaces: string | null;
  receivedAt: number;
}

export interface ShareSubmission {
  job: SourceJob;
  extranonce2: string;
  versionBits: number;
  nonce: number;
  /** ntime as hashed (a Stratum miner may roll it forward); default the job's. */
  ntime?: number;
  /** The verified hash value (display order), to judge it against the current difficulty. */
  hashValue: bigint;
}

export type SubmitOutcome =
  | { status: 'accepted' }
  | { status: 'rejected'; error: string; reason: string }
  /** The job's session or job is gone; nothing was sent. */
  | { status: 'stale' }
  /** Meets the job's difficulty but not the one in force now; not sent (it would be rejected). */
  | { status: 'below_target' }
  /** Exactly this share was sent before; not sent again. */
  | { status: 'duplicate' }
  /** Sent, but the session ended before the pool answered and could not be resumed. */
  | { status: 'lost' };

export interface SourceStatus {
  kind: 'stratum' | 'demo';
  url: string | null;
  pool_index: number | null;
  state: 'connecting' | 'connected' | 'down';
  difficulty: number | null;
  submitted: number;
  accepted: number;
  rejected: number;
  /** Pool rejects per reason (rejectReasonKey of the pool's text). */
  rejected_reasons: Record<string, number>;
  /** Submits whose answer never came because the session ended and did not resume. */
  lost_in_flight: number;
  /** Submits resent after a session resumed with the same extranonce1. */
  resent: number;
  /** Last mining.suggest_difficulty sent in this session, null when none. */
  suggested_difficulty: number | null;
}

export interface SourceEvents {
  job: [SourceJob];
  /** Every job so far is void and there is no replacement yet (pool lost). */
  void: [];
  /** A compact human line per upstream event (connect, failover, difficulty, submit verdict). */
  log: [string];
}

export interface JobSource extends EventEmitter<SourceEvents> {
  start(): Promise<void>;
  stop(): Promise<void>;
  submit(share: ShareSubmission): Promise<SubmitOutcome>;
  status(): SourceStatus;
  /** Target of the difficulty in force now (null when there is no session). */
  currentTarget(): bigint | null;
  /**
   * The difficulty the fleet would like (mining.suggest_difficulty); the source
   * decides whether and when to send it. Sources without a pool ignore it.
   */
  suggestDifficulty(difficulty: number): void;
}
