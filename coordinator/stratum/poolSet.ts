// A list of pools with failover, as XMRig does it: use the first pool that
// completes the handshake, in configured order; when the active one drops, try
// the next ones; while on a backup, keep probing the pools before it and return
// to the first that comes back. Rounds where every pool fails wait a jittered
// exponential backoff (transport/backoff.ts) so a fleet of coordinators does not
// hammer a pool that restarts.
import { EventEmitter } from 'node:events';
import { backoffDelay, type BackoffPolicy } from '../../transport/backoff.ts';
import type { JobSource, SourceEvents, SourceJob, SourceStatus, ShareSubmission, SubmitOutcome } from '../source.ts';
import { StratumConnection, type ConnectionOptions } from './connection.ts';
import { difficultyToTarget } from './difficulty.ts';
import { submitParams } from './header.ts';
import type { StratumJobTemplate } from './messages.ts';

export interface PoolSetOptions {
  pools: string[];
  user: string;
  password: string;
  backoff: BackoffPolicy;
  /** How often a backup session probes the pools before it. */
  primaryRetryMs: number;
  connection?: Omit<ConnectionOptions, 'url' | 'user' | 'password'>;
  random?: () => number;
  now?: () => number;
}

export class StratumPoolSet extends EventEmitter<SourceEvents> implements JobSource {
  private readonly opts: PoolSetOptions;
  private running = false;
  private active: StratumConnection | null = null;
  private activeIndex = -1;
  private session = 0;
  /** Jobs of the active session by pool job id (cleared on clean_jobs). */
  private jobs = new Map<string, SourceJob>();
  private forceClean = true;
  private probeTimer: NodeJS.Timeout | null = null;
  private wakeLoop: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private counts = { submitted: 0, accepted: 0, rejected: 0 };
  private readonly conns = new Set<StratumConnection>();

  constructor(opts: PoolSetOptions) {
    super();
    this.opts = opts;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = null;
    for (const c of this.conns) c.close('stopping');
    this.wakeLoop?.();
    const end = this.onSessionEnd;
    this.onSessionEnd = null;
    end?.(0);
    await this.loop;
  }

  status(): SourceStatus {
    return {
      kind: 'stratum',
      url: this.active ? this.opts.pools[this.activeIndex]! : null,
      pool_index: this.active ? this.activeIndex : null,
      state: this.active ? 'connected' : this.running ? 'connecting' : 'down',
      difficulty: this.active ? this.active.difficulty : null,
      ...this.counts,
    };
  }

  async submit(share: ShareSubmission): Promise<SubmitOutcome> {
    const conn = this.active;
    const live = this.jobs.get(share.job.poolJobId);
    if (!conn || !conn.isOpen || live !== share.job) return { status: 'stale' };
    const params = submitParams(this.opts.user, share.job.poolJobId,
      { extranonce1: share.job.extranonce1, extranonce2: share.extranonce2, versionBits: share.versionBits, versionMask: share.job.versionMask },
      share.job.template.ntime, share.nonce);
    this.counts.submitted++;
    const reply = await conn.submit(params);
    if (reply.accepted) this.counts.accepted++;
    else this.counts.rejected++;
    this.emit('log', `submit job ${share.job.poolJobId} nonce ${params[4]}: ${reply.accepted ? 'accepted' : `rejected (${reply.error})`}`);
    return reply.accepted ? { status: 'accepted' } : { status: 'rejected', error: reply.error ?? 'rejected' };
  }

  private connOptions(url: string): ConnectionOptions {
    return { ...this.opts.connection, url, user: this.opts.user, password: this.opts.password };
  }

  /** One connect + handshake attempt; null on failure. */
  private async tryPool(index: number): Promise<StratumConnection | null> {
    const url = this.opts.pools[index]!;
    const conn = new StratumConnection(this.connOptions(url));
    this.conns.add(conn);
    conn.once('close', () => this.conns.delete(conn));
    try {
      const s = await conn.open();
      this.emit('log', `pool ${index} ${url} connected: extranonce1 ${s.extranonce1}, extranonce2 ${s.extranonce2Size} bytes, version rolling ${s.versionMask === null ? 'off' : s.versionMask.toString(16)}`);
      return conn;
    } catch (err) {
      this.emit('log', `pool ${index} ${url} failed: ${(err as Error).message}`);
      conn.close('handshake failed');
      return null;
    }
  }

  private async run(): Promise<void> {
    let round = 0;
    let next = 0;
    while (this.running) {
      let found: StratumConnection | null = null;
      let index = -1;
      for (let k = 0; k < this.opts.pools.length && this.running && !found; k++) {
        index = (next + k) % this.opts.pools.length;
        found = await this.tryPool(index);
      }
      if (!this.running) { found?.close('stopping'); return; }
      if (!found) {
        const delay = backoffDelay(this.opts.backoff, round++, (this.opts.random ?? Math.random)());
        this.emit('log', `all pools down; retrying in ${delay} ms`);
        await this.sleep(delay);
        next = 0;
        continue;
      }
      round = 0;
      this.activate(found, index);
      // Wait until whichever session is active then (a probe may have swapped it) ends.
      const lostIndex = await new Promise<number>((resolve) => { this.onSessionEnd = resolve; });
      next = (lostIndex + 1) % this.opts.pools.length;
    }
  }

  private onSessionEnd: ((index: number) => void) | null = null;

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.wakeLoop = null; resolve(); }, ms);
      this.wakeLoop = () => { clearTimeout(t); this.wakeLoop = null; resolve(); };
    });
  }

  private activate(conn: StratumConnection, index: number): void {
    const previous = this.active;
    this.active = conn;
    this.activeIndex = index;
    this.session++;
    this.jobs.clear();
    // A new session has its own extranonce1: every job of the old one is void.
    this.forceClean = true;
    conn.on('job', (t) => { if (this.active === conn) this.onJob(conn, t); });
    conn.on('difficulty', (d) => { if (this.active === conn) this.onDifficulty(d); });
    conn.on('warning', (e) => this.emit('log', `pool ${index}: ${e.code} ${e.message}`));
    conn.on('message', (m) => this.emit('log', `pool ${index} says: ${m}`));
    conn.once('close', (reason) => {
      if (this.active !== conn) return;
      this.deactivate();
      this.emit('log', `pool ${index} ${this.opts.pools[index]} lost: ${reason}`);
      const end = this.onSessionEnd;
      this.onSessionEnd = null;
      end?.(index);
    });
    if (previous && previous !== conn) previous.close(`returned to pool ${index}`);
    if (conn.lastJob) this.onJob(conn, conn.lastJob);
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = null;
    if (index > 0) this.probeTimer = setInterval(() => void this.probe(), this.opts.primaryRetryMs);
  }

  private deactivate(): void {
    this.active = null;
    this.activeIndex = -1;
    this.jobs.clear();
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = null;
    this.emit('void');
  }

  private probing = false;
  /** While on a backup, try the pools ranked above it; switch to the first that answers. */
  private async probe(): Promise<void> {
    if (this.probing || !this.running) return;
    this.probing = true;
    try {
      for (let i = 0; i < this.activeIndex && this.running; i++) {
        const conn = await this.tryPool(i);
        if (!conn) continue;
        if (!this.running || this.active === null || this.activeIndex <= i) { conn.close('not needed'); return; }
        this.emit('log', `back to pool ${i} ${this.opts.pools[i]}`);
        this.activate(conn, i);
        return;
      }
    } finally {
      this.probing = false;
    }
  }

  private onJob(conn: StratumConnection, t: StratumJobTemplate): void {
    const s = conn.session!;
    const clean = t.cleanJobs || this.forceClean;
    this.forceClean = false;
    if (clean) this.jobs.clear();
    const job: SourceJob = {
      id: `s${this.session}-${t.jobId}`,
      poolJobId: t.jobId,
      template: t,
      extranonce1: s.extranonce1,
      extranonce2Size: s.extranonce2Size,
      versionMask: s.versionMask,
      poolTarget: difficultyToTarget(conn.difficulty),
      clean,
      receivedAt: (this.opts.now ?? Date.now)(),
    };
    this.jobs.set(t.jobId, job);
    this.emit('log', `job ${t.jobId}${clean ? ' (clean)' : ''} difficulty ${conn.difficulty}`);
    this.emit('job', job);
  }

  /**
   * Pools differ on whether set_difficulty applies to the current job or the next
   * one (the Stratum docs say next; several apply it at once). Live jobs keep the
   * easier of their old and the new target so no share either reading would
   * accept is withheld; a few may come back "low difficulty", which is harmless.
   */
  private onDifficulty(d: number): void {
    const t = difficultyToTarget(d);
    for (const job of this.jobs.values()) if (t > job.poolTarget) job.poolTarget = t;
    this.emit('log', `difficulty ${d}`);
  }
}
