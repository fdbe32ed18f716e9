// The `demo` upstream: synthetic sha256d jobs in the exact shape a Stratum pool
// sends (coinbase halves, merkle branch, prevhash, nbits, ntime), so `npm start`
// exercises the same carving, signing and verification as production. Its
// "pool" accepts a share when the rebuilt header's hash meets its target.
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { JobSource, ShareSubmission, SourceEvents, SourceJob, SourceStatus, SubmitOutcome } from './source.ts';
import { difficultyToTarget } from './stratum/difficulty.ts';
import { headerForJob, headerHashDisplay } from './stratum/header.ts';
import type { StratumJobTemplate } from './stratum/messages.ts';

export interface DemoSourceOptions {
  /** Pool difficulty of the synthetic jobs (shares at or below diff1/difficulty count as "pool" shares). */
  difficulty: number;
  /** A new clean job every this many ms (0: only the first). */
  jobIntervalMs: number;
  now?: () => number;
}

const hex = (n: number) => randomBytes(n).toString('hex');

export class DemoSource extends EventEmitter<SourceEvents> implements JobSource {
  private readonly opts: DemoSourceOptions;
  private timer: NodeJS.Timeout | null = null;
  private seq = 0;
  private jobs = new Map<string, SourceJob>();
  private counts = { submitted: 0, accepted: 0, rejected: 0 };
  private running = false;

  constructor(opts: DemoSourceOptions) {
    super();
    this.opts = opts;
  }

  async start(): Promise<void> {
    this.running = true;
    this.emit('log', `demo source: synthetic sha256d jobs at difficulty ${this.opts.difficulty}`);
    // Emitted on the next tick so listeners attached after start() see the first job.
    setImmediate(() => { if (this.running) this.newJob(); });
    if (this.opts.jobIntervalMs > 0) this.timer = setInterval(() => this.newJob(), this.opts.jobIntervalMs);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  status(): SourceStatus {
    return {
      kind: 'demo', url: null, pool_index: null, state: this.running ? 'connected' : 'down', difficulty: this.opts.difficulty, ...this.counts,
      rejected_reasons: this.counts.rejected > 0 ? { 'low difficulty': this.counts.rejected } : {}, lost_in_flight: 0, resent: 0, suggested_difficulty: null,
    };
  }

  currentTarget(): bigint | null {
    return this.running ? difficultyToTarget(this.opts.difficulty) : null;
  }

  /** The demo's difficulty is fixed by config. */
  suggestDifficulty(): void {}

  /** Emits a new clean job now (tests use it to switch jobs on demand). */
  newJob(): SourceJob {
    const id = `demo${++this.seq}`;
    const template: StratumJobTemplate = {
      jobId: id,
      prevhash: hex(32),
      // A BIP34-style coinbase: version, one input spending nothing, height push, then our tag.
      coinb1: `01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff0c03${hex(3)}`,
      coinb2: `ffffffff0100f2052a010000001976a914${hex(20)}88ac00000000`,
      merkleBranch: [hex(32), hex(32)],
      version: 0x20000000,
      nbits: 0x1d00ffff,
      ntime: Math.floor((this.opts.now ?? Date.now)() / 1000) >>> 0,
      cleanJobs: true,
    };
    const job: SourceJob = {
      id, algo: 'sha256d', poolJobId: id, template, extranonce1: hex(4), extranonce2Size: 4, versionMask: null,
      poolTarget: difficultyToTarget(this.opts.difficulty), clean: true, replaces: null, receivedAt: (this.opts.now ?? Date.now)(),
    };
    this.jobs.clear();
    this.jobs.set(id, job);
    this.emit('job', job);
    return job;
  }

  async submit(s: ShareSubmission): Promise<SubmitOutcome> {
    if (this.jobs.get(s.job.poolJobId) !== s.job) return { status: 'stale' };
    this.counts.submitted++;
    const header = headerForJob(s.job.template, { extranonce1: s.job.extranonce1, extranonce2: s.extranonce2, versionBits: s.versionBits, versionMask: s.job.versionMask, ntime: s.ntime });
    header.writeUInt32LE(s.nonce >>> 0, 76);
    const hash = headerHashDisplay(header).toString('hex');
    if (BigInt(`0x${hash}`) <= s.job.poolTarget) {
      this.counts.accepted++;
      return { status: 'accepted' };
    }
    this.counts.rejected++;
    return { status: 'rejected', error: 'low difficulty', reason: 'low difficulty' };
  }
}
