// What the coordinator needs from an upstream: a stream of Stratum-shaped jobs
// and a way to hand back shares. Both the real pool (stratum/poolSet.ts) and the
// demo source (demoSource.ts) implement it, so carving, verification and
// dispatch are the same code in `npm start` and in production.
import type { EventEmitter } from 'node:events';
import type { StratumJobTemplate } from './stratum/messages.ts';

export interface SourceJob {
  /** Unique for the coordinator's lifetime; becomes the units' `job_id`. */
  id: string;
  /** The pool's own job id, echoed in mining.submit. */
  poolJobId: string;
  template: StratumJobTemplate;
  extranonce1: string;
  extranonce2Size: number;
  /** BIP310 mask negotiated for the session, null when not rolling. */
  versionMask: number | null;
  /** Shares with hash ≤ this go upstream; may become easier after set_difficulty. */
  poolTarget: bigint;
  /** True when every earlier job is void (clean_jobs, or a new pool session). */
  clean: boolean;
  receivedAt: number;
}

export interface ShareSubmission {
  job: SourceJob;
  extranonce2: string;
  versionBits: number;
  nonce: number;
}

export type SubmitOutcome =
  | { status: 'accepted' }
  | { status: 'rejected'; error: string }
  /** The job's session or job is gone; nothing was sent. */
  | { status: 'stale' };

export interface SourceStatus {
  kind: 'stratum' | 'demo';
  url: string | null;
  pool_index: number | null;
  state: 'connecting' | 'connected' | 'down';
  difficulty: number | null;
  submitted: number;
  accepted: number;
  rejected: number;
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
}
