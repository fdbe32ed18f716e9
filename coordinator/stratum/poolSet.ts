// A list of pools with failover, as XMRig does it: use the first pool that
// completes the handshake, in configured order; when the active one drops, try
// the next ones; while on a backup, keep probing the pools before it and return
// to the first that comes back.
//
// Losing a session:
// - the jobs are kept for one quick reconnect to the same pool (connect deadline
//   `resumeGraceMs`), subscribing with the old session id. When the pool gives
//   back the same extranonce1 the session resumed: the jobs stay valid and
//   submits that were in flight are sent again. Otherwise every job is void at
//   once ('void': the coordinator halts the devices), and unanswered submits are
//   counted as lost — never dropped silently;
// - client.reconnect is followed to the host/port it names only with
//   `followRedirect` (otherwise whoever controls the pool stream could send the
//   fleet anywhere), and its wait is honoured;
// - retries follow retry.ts: a fast fixed period right after a healthy session,
//   jittered exponential backoff later.
//
// Shares: a share goes upstream only while its job is the live job of that pool
// job id, when it meets the difficulty in force now as well as the one of its
// job (ckpool and public-pool judge by different ones), and never twice.
import { EventEmitter } from 'node:events';
import type { JobSource, SourceEvents, SourceJob, SourceStatus, ShareSubmission, SubmitOutcome } from '../source.ts';
import { StratumConnection, type ConnectionOptions } from './connection.ts';
import { difficultyToTarget, type PoolAlgo } from './difficulty.ts';
import { submitParams } from './header.ts';
import { rejectReasonKey, type ReconnectRequest, type StratumJobTemplate } from './messages.ts';
import { retryDelay, type RetryPolicy } from './retry.ts';
import { parsePoolUrl, type PoolEndpoint } from './url.ts';

export type SuggestMode = { mode: 'auto' } | { mode: 'fixed'; value: number } | { mode: 'off' };

export interface PoolSetOptions {
  pools: string[];
  user: string;
  password: string;
  /** Delays between rounds of attempts (retry.ts). fastMs/fastForMs default 1000/60000. */
  backoff: Omit<RetryPolicy, 'fastMs' | 'fastForMs'> & Partial<Pick<RetryPolicy, 'fastMs' | 'fastForMs'>>;
  /** How often a backup session probes the pools before it. */
  primaryRetryMs: number;
  /** Proof of work of the pools' chain (all pools of a set mine the same chain). */
  algo?: PoolAlgo;
  /** mining.suggest_difficulty: auto (coordinator's suggestDifficulty calls), a fixed value, or off. */
  suggest?: SuggestMode;
  /** Follow client.reconnect to another host/port (default false: same pool). */
  followRedirect?: boolean;
  /** Connect deadline of the one quick reconnect that may resume a lost session. Default 3000. */
  resumeGraceMs?: number;
  connection?: Omit<ConnectionOptions, 'url' | 'user' | 'password' | 'resumeSessionId' | 'suggestDifficulty'>;
  random?: () => number;
  now?: () => number;
}

interface Held {
  share: ShareSubmission;
  params: string[];
  /** True when it was sent and the session ended before the answer. */
  sent: boolean;
  resolve(o: SubmitOutcome): void;
}

/** Bound of the sent-share set; cleared with every clean job (older job ids are void then). */
const MAX_SENT_KEYS = 200_000;

export class StratumPoolSet extends EventEmitter<SourceEvents> implements JobSource {
  private readonly opts: PoolSetOptions;
  private running = false;
  private active: StratumConnection | null = null;
  private activeIndex = -1;
  private session = 0;
  /** Jobs of the current (or suspended) session by pool job id (cleared on clean_jobs). */
  private jobs = new Map<string, SourceJob>();
  /** Times each `s<session>-<job id>` was used, so a reused pool job id gets a new SourceJob id. */
  private idUses = new Map<string, number>();
  private forceClean = true;
  private difficulty: number | null = null;
  /** The lost session whose jobs are kept while one quick reconnect may resume it. */
  private suspended: { index: number; extranonce1: string; extranonce2Size: number } | null = null;
  private held: Held[] = [];
  private sent = new Set<string>();
  /** Per pool index: the last session id, sent on reconnect to resume. */
  private sessions = new Map<number, string>();
  /** Per pool index: where client.reconnect pointed (only with followRedirect). */
  private redirects = new Map<number, PoolEndpoint>();
  private wanted: number | null = null;
  private probeTimer: NodeJS.Timeout | null = null;
  private wakeLoop: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private onSessionEnd: ((end: { index: number; reconnect: ReconnectRequest | null }) => void) | null = null;
  private lastReconnect: ReconnectRequest | null = null;
  private counts = { submitted: 0, accepted: 0, rejected: 0, lost_in_flight: 0, resent: 0 };
  private reasons: Record<string, number> = {};
  private readonly conns = new Set<StratumConnection>();

  constructor(opts: PoolSetOptions) {
    super();
    this.opts = opts;
  }

  private get algo(): PoolAlgo {
    return this.opts.algo ?? 'sha256d';
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
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
    end?.({ index: 0, reconnect: null });
    await this.loop;
    for (const h of this.held.splice(0)) h.resolve(h.sent ? { status: 'lost' } : { status: 'stale' });
  }

  status(): SourceStatus {
    return {
      kind: 'stratum',
      url: this.active ? this.opts.pools[this.activeIndex]! : null,
      pool_index: this.active ? this.activeIndex : null,
      state: this.active ? 'connected' : this.running ? 'connecting' : 'down',
      difficulty: this.active ? this.difficulty : null,
      ...this.counts,
      rejected_reasons: { ...this.reasons },
      suggested_difficulty: this.active?.suggested ?? null,
    };
  }

  currentTarget(): bigint | null {
    return this.difficulty === null ? null : difficultyToTarget(this.difficulty, this.algo);
  }

  /**
   * The fleet's wish (mode auto). Sent at once when this session has had no
   * suggestion yet, again when it moved by 4× or more (ckpool retunes on every
   * suggestion; public-pool takes the first only and ignores the rest).
   */
  suggestDifficulty(d: number): void {
    if (this.opts.suggest?.mode !== 'auto' && this.opts.suggest !== undefined) return;
    if (!(Number.isFinite(d) && d > 0)) return;
    this.wanted = d;
    const conn = this.active;
    if (!conn || !conn.isOpen) return;
    const last = conn.suggested;
    if (last === null || d / last >= 4 || last / d >= 4) {
      conn.suggest(d, last !== null);
      this.emit('log', `suggest difficulty ${conn.suggested}`);
    }
  }

  async submit(share: ShareSubmission): Promise<SubmitOutcome> {
    if (this.jobs.get(share.job.poolJobId) !== share.job) return { status: 'stale' };
    const current = this.currentTarget();
    if (current !== null && share.hashValue > current) return { status: 'below_target' };
    const params = submitParams(this.opts.user, share.job.poolJobId,
      { extranonce1: share.job.extranonce1, extranonce2: share.extranonce2, versionBits: share.versionBits, versionMask: share.job.versionMask },
      share.ntime ?? share.job.template.ntime, share.nonce);
    const key = `${share.job.extranonce1}/${params.slice(1).join('/')}`;
    if (this.sent.has(key)) return { status: 'duplicate' };
    if (this.sent.size >= MAX_SENT_KEYS) this.sent.clear();
    this.sent.add(key);
    const conn = this.active;
    if (!conn || !conn.isOpen) {
      // Suspended session: held until it resumes or is given up.
      return new Promise((resolve) => this.held.push({ share, params, sent: false, resolve }));
    }
    return this.send(conn, share, params);
  }

  private async send(conn: StratumConnection, share: ShareSubmission, params: string[]): Promise<SubmitOutcome> {
    this.counts.submitted++;
    const reply = await conn.submit(params);
    if (reply.unanswered) {
      this.counts.submitted--;
      this.emit('log', `submit job ${share.job.poolJobId} nonce ${params[4]}: session ended before the answer; held`);
      if (this.suspended === null && this.active !== null && this.active !== conn) {
        // Already on another session (a probe switched pools): it cannot resume this one.
        this.counts.lost_in_flight++;
        return { status: 'lost' };
      }
      return new Promise((resolve) => this.held.push({ share, params, sent: true, resolve }));
    }
    if (reply.accepted) this.counts.accepted++;
    else {
      this.counts.rejected++;
      const reason = rejectReasonKey(reply.error);
      this.reasons[reason] = (this.reasons[reason] ?? 0) + 1;
    }
    this.emit('log', `submit job ${share.job.poolJobId} nonce ${params[4]}: ${reply.accepted ? 'accepted' : `rejected (${reply.error})`}`);
    return reply.accepted ? { status: 'accepted' } : { status: 'rejected', error: reply.error ?? 'rejected', reason: rejectReasonKey(reply.error) };
  }

  private connOptions(url: string, index: number): ConnectionOptions {
    const s = this.opts.suggest ?? { mode: 'auto' };
    return {
      ...this.opts.connection, url, user: this.opts.user, password: this.opts.password,
      resumeSessionId: this.sessions.get(index) ?? null,
      suggestDifficulty: s.mode === 'fixed' ? s.value : s.mode === 'auto' ? this.wanted : null,
    };
  }

  /** One connect + handshake attempt; null on failure. */
  private async tryPool(index: number, connectTimeoutMs?: number): Promise<StratumConnection | null> {
    const url = this.opts.pools[index]!;
    const redirect = this.redirects.get(index);
    const conn = new StratumConnection({ ...this.connOptions(url, index), ...(connectTimeoutMs ? { connectTimeoutMs } : {}) }, redirect ?? parsePoolUrl(url));
    const where = redirect ? `${url} (redirected to ${redirect.host}:${redirect.port})` : url;
    this.conns.add(conn);
    conn.once('close', () => this.conns.delete(conn));
    try {
      const s = await conn.open();
      this.emit('log', `pool ${index} ${where} connected: extranonce1 ${s.extranonce1}, extranonce2 ${s.extranonce2Size} bytes, version rolling ${s.versionMask === null ? 'off' : s.versionMask.toString(16)}${conn.suggested !== null ? `, suggested difficulty ${conn.suggested}` : ''}`);
      return conn;
    } catch (err) {
      this.emit('log', `pool ${index} ${where} failed: ${(err as Error).message}`);
      conn.close('handshake failed');
      // A redirect that does not answer is forgotten: next time the configured pool.
      if (redirect) this.redirects.delete(index);
      return null;
    }
  }

  private async run(): Promise<void> {
    let slowRound = 0;
    let next = 0;
    let lastEnd: number | null = null;
    while (this.running) {
      let found: StratumConnection | null = null;
      let index = -1;
      if (this.suspended) {
        // One quick attempt at the same pool: the only way to resume the session.
        index = this.suspended.index;
        found = await this.tryPool(index, this.opts.resumeGraceMs ?? 3000);
        if (!found) this.giveUpSuspended('the pool did not come back at once');
      }
      for (let k = 0; k < this.opts.pools.length && this.running && !found; k++) {
        index = (next + k) % this.opts.pools.length;
        found = await this.tryPool(index);
      }
      if (!this.running) { found?.close('stopping'); return; }
      if (!found) {
        const since = lastEnd === null ? null : this.now() - lastEnd;
        const policy = { fastMs: 1000, fastForMs: 60_000, ...this.opts.backoff };
        const delay = retryDelay(policy, since, slowRound, (this.opts.random ?? Math.random)());
        if (since === null || since >= policy.fastForMs) slowRound++;
        this.emit('log', `all pools down; retrying in ${delay} ms`);
        await this.sleep(delay);
        next = 0;
        continue;
      }
      slowRound = 0;
      this.activate(found, index);
      // Wait until whichever session is active then (a probe may have swapped it) ends.
      const end = await new Promise<{ index: number; reconnect: ReconnectRequest | null }>((resolve) => { this.onSessionEnd = resolve; });
      if (!this.running) return;
      lastEnd = this.now();
      next = (end.index + 1) % this.opts.pools.length;
      if (end.reconnect) {
        const wait = Math.min(end.reconnect.waitS * 1000, 600_000);
        // Nothing can be submitted during a long wait: stop the devices now.
        if (wait > (this.opts.resumeGraceMs ?? 3000)) this.giveUpSuspended(`the pool asked to wait ${end.reconnect.waitS} s`);
        if (wait > 0) await this.sleep(wait);
        // After client.reconnect the same pool (or where it points) comes first.
        next = end.index;
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.wakeLoop = null; resolve(); }, ms);
      this.wakeLoop = () => { clearTimeout(t); this.wakeLoop = null; resolve(); };
    });
  }

  private activate(conn: StratumConnection, index: number): void {
    const previous = this.active;
    const s = conn.session!;
    const sus = this.suspended;
    const resumed = sus !== null && sus.index === index && sus.extranonce1 === s.extranonce1 && sus.extranonce2Size === s.extranonce2Size;
    if (sus !== null && !resumed) this.giveUpSuspended(`new session with extranonce1 ${s.extranonce1}`);
    this.suspended = null;
    this.active = conn;
    this.activeIndex = index;
    this.session++;
    this.difficulty = conn.difficultySet ? conn.difficulty : null;
    if (s.sessionId) this.sessions.set(index, s.sessionId);
    if (!resumed) {
      // A new session has its own extranonce1: every job of the old one is void.
      this.jobs.clear();
      this.forceClean = true;
    }
    conn.on('job', (t) => { if (this.active === conn) this.onJob(conn, t); });
    conn.on('difficulty', (d) => { if (this.active === conn) this.onDifficulty(d); });
    conn.on('warning', (e) => this.emit('log', `pool ${index}: ${e.code} ${e.message}`));
    conn.on('message', (m) => this.emit('log', `pool ${index} says: ${m}`));
    conn.on('reconnect', (req) => {
      this.lastReconnect = req;
      if (req.host !== null && this.opts.followRedirect) {
        const base = parsePoolUrl(this.opts.pools[index]!);
        this.redirects.set(index, { ...base, host: req.host.replace(/^\[|\]$/g, ''), port: req.port ?? base.port });
      } else if (req.host !== null) {
        this.emit('log', `pool ${index} asked to move to ${req.host}:${req.port ?? '?'}; staying (coordinator.pool_follow_redirect is off)`);
      }
    });
    conn.once('close', (reason) => {
      if (this.active !== conn) return;
      const req = this.lastReconnect;
      this.lastReconnect = null;
      this.loseSession(index, conn, reason);
      const end = this.onSessionEnd;
      this.onSessionEnd = null;
      end?.({ index, reconnect: req });
    });
    if (previous && previous !== conn) previous.close(`returned to pool ${index}`);
    if (resumed) {
      this.emit('log', `pool ${index} session resumed (extranonce1 ${s.extranonce1}); ${this.jobs.size} jobs kept`);
      for (const h of this.held.splice(0)) {
        if (this.jobs.get(h.share.job.poolJobId) !== h.share.job) { this.settleUnsent(h); continue; }
        if (h.sent) this.counts.resent++;
        void this.send(conn, h.share, h.params).then(h.resolve);
      }
    }
    if (conn.difficultySet) this.onDifficulty(conn.difficulty);
    if (conn.lastJob) this.onJob(conn, conn.lastJob);
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = null;
    if (index > 0) this.probeTimer = setInterval(() => void this.probe(), this.opts.primaryRetryMs);
    if (this.wanted !== null && conn.suggested === null && (this.opts.suggest ?? { mode: 'auto' }).mode === 'auto') this.suggestDifficulty(this.wanted);
  }

  /** The active session ended: keep its jobs for one quick reconnect (see run()). */
  private loseSession(index: number, conn: StratumConnection, reason: string): void {
    this.active = null;
    this.activeIndex = -1;
    this.difficulty = conn.difficultySet ? conn.difficulty : this.difficulty;
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = null;
    const s = conn.session!;
    this.suspended = { index, extranonce1: s.extranonce1, extranonce2Size: s.extranonce2Size };
    this.emit('log', `pool ${index} ${this.opts.pools[index]} lost: ${reason}`);
  }

  /** The suspended session will not come back: void its jobs and settle what was held. */
  private giveUpSuspended(why: string): void {
    if (this.suspended === null) return;
    this.suspended = null;
    this.jobs.clear();
    this.forceClean = true;
    this.difficulty = null;
    for (const h of this.held.splice(0)) this.settleUnsent(h);
    this.emit('log', `jobs of the lost session void: ${why}`);
    this.emit('void');
  }

  private settleUnsent(h: Held): void {
    if (h.sent) {
      this.counts.lost_in_flight++;
      this.emit('log', `submit job ${h.share.job.poolJobId} nonce ${h.params[4]}: lost in flight (session not resumed)`);
      h.resolve({ status: 'lost' });
    } else {
      h.resolve({ status: 'stale' });
    }
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
    if (clean) { this.jobs.clear(); this.sent.clear(); }
    const base = `s${this.session}-${t.jobId}`;
    const uses = (this.idUses.get(base) ?? 0) + 1;
    this.idUses.set(base, uses);
    if (this.idUses.size > 4096) this.idUses.delete(this.idUses.keys().next().value as string);
    const old = this.jobs.get(t.jobId);
    const difficulty = this.difficulty ?? conn.difficulty;
    const job: SourceJob = {
      id: uses === 1 ? base : `${base}~${uses}`,
      algo: this.algo,
      poolJobId: t.jobId,
      template: t,
      extranonce1: s.extranonce1,
      extranonce2Size: s.extranonce2Size,
      versionMask: s.versionMask,
      poolTarget: difficultyToTarget(difficulty, this.algo),
      clean,
      replaces: old && !clean ? old.id : null,
      receivedAt: this.now(),
    };
    this.jobs.set(t.jobId, job);
    this.emit('log', `job ${t.jobId}${clean ? ' (clean)' : ''}${job.replaces ? ` replaces ${job.replaces}` : ''} difficulty ${difficulty}`);
    this.emit('job', job);
  }

  /**
   * set_difficulty changes the difficulty in force now; jobs keep the one they
   * were sent under (their poolTarget). Shares must meet both to be sent.
   */
  private onDifficulty(d: number): void {
    if (this.difficulty === d) return;
    this.difficulty = d;
    this.emit('log', `difficulty ${d}`);
  }
}
