// One Stratum V1 miner connection on the endpoint: handshake, difficulty, job
// stream and share checks. Every input is bounded (line length, messages per
// second, lines queued before the first upstream job) and every bad input is
// answered with a Stratum error and logged with its code; repeated abuse closes
// the connection. One catch point: handleLine.
import type { Socket } from 'node:net';
import type { TimerHandle } from '../../lifecycle/clock.ts';
import { TokenBucket } from '../../lifecycle/tokenBucket.ts';
import { HashlingError } from '../../protocol/errors.ts';
import { hashesPerDifficulty } from '../stratum/difficulty.ts';
import { LineFramer } from '../stratum/framing.ts';
import { parseStratumLine, type StratumRequest } from '../stratum/messages.ts';
import type { ShareSubmission, SubmitOutcome } from '../source.ts';
import { checkMinerSubmit, notifyParams, MINER_ERROR_CODES, type MinerJob, type MinerRejectReason } from './minerWork.ts';
import { retarget, type VardiffWindow } from './minerVardiff.ts';
import { checkAuthorize, workerDeviceId } from './workerId.ts';
import type { EndpointContext } from './stratumEndpoint.ts';

/** Miner messages are small (a submit is ~200 bytes); 16 KiB leaves room and bounds memory. */
export const MINER_MAX_LINE_BYTES = 16 * 1024;
/** Messages back to back, then this many per second (a 1 TH/s miner at sane vardiff sends < 1/s). */
const RATE_BURST = 200;
const RATE_PER_S = 50;
/** Bad lines or rate-limit hits tolerated before the connection is closed. */
const MAX_STRIKES = 50;
/** Lines kept while the endpoint waits for its first upstream job. */
const MAX_WAITING = 32;
/** How long a connection we ended may take to read its last answers before it is cut. */
const LINGER_MS = 1000;
/** Time to subscribe and authorize once upstream work exists. */
export const HANDSHAKE_TIMEOUT_MS = 60_000;

interface ShareMark { at: number; work: number }

export class MinerSession {
  readonly seq: number;
  readonly remote: string | null;
  private readonly socket: Socket;
  private readonly ctx: EndpointContext;
  private readonly framer = new LineFramer(MINER_MAX_LINE_BYTES);
  private readonly bucket: TokenBucket;
  private strikes = 0;
  private waiting: StratumRequest[] = [];
  private closed = false;
  userAgent: string | null = null;
  prefix: string | null = null;
  extranonce2Size = 0;
  private upstreamSize = 0;
  deviceId: string | null = null;
  readonly workers = new Set<string>();
  private versionMask: number | null = null;
  private minDifficulty = 0;
  difficulty: number;
  private jobDifficulty = new Map<string, number>();
  private seen = new Set<string>();
  private window: VardiffWindow;
  private marks: ShareMark[] = [];
  readonly connectedAt: number;
  counters = { accepted: 0, rejected: {} as Record<string, number>, pool_submitted: 0, pool_accepted: 0 };
  private handshakeTimer: TimerHandle | null = null;
  private lingerTimer: TimerHandle | null = null;

  constructor(seq: number, socket: Socket, ctx: EndpointContext) {
    this.seq = seq;
    this.socket = socket;
    this.ctx = ctx;
    this.remote = socket.remoteAddress ?? null;
    this.connectedAt = ctx.now();
    this.bucket = new TokenBucket(RATE_BURST, RATE_PER_S / 1000, this.connectedAt);
    this.difficulty = ctx.startDifficulty();
    this.window = { since: this.connectedAt, shares: 0, work: 0 };
  }

  get authorized(): boolean {
    return this.deviceId !== null;
  }

  start(): void {
    this.socket.setNoDelay(true);
    this.socket.setKeepAlive(true, 30_000);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', () => this.close('socket error', true));
    this.socket.on('close', () => {
      this.close('connection closed by miner', true);
      this.ctx.onGone(this);
    });
    this.armHandshakeTimer();
  }

  /**
   * Ends the connection. For a reason of ours (abuse, no room, the handshake
   * deadline) it ends with a FIN after the answers already written, so the
   * miner can read why: cutting a socket that still holds unread input sends a
   * reset, and the miner's side then discards answers it has not read yet. The
   * socket is cut LINGER_MS later in any case; `now` (a socket error, the
   * coordinator stopping) cuts it at once.
   */
  close(reason: string, now = false): void {
    if (this.closed) {
      if (now) this.cut();
      return;
    }
    this.closed = true;
    if (this.handshakeTimer !== null) this.ctx.clock.clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
    if (now) {
      this.cut();
    } else {
      this.socket.end();
      this.lingerTimer = this.ctx.clock.setTimeout(() => this.cut(), LINGER_MS);
    }
    this.ctx.onClose(this, reason);
  }

  private cut(): void {
    if (this.lingerTimer !== null) this.ctx.clock.clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
    this.socket.destroy();
  }

  /** Verified hashes per second over the last `windowMs` (or since connecting, if later). */
  hashrate(windowMs: number): number {
    const now = this.ctx.now();
    const cut = now - 15 * 60_000;
    while (this.marks.length > 0 && this.marks[0]!.at < cut) this.marks.shift();
    const from = now - windowMs;
    let work = 0;
    for (const m of this.marks) if (m.at >= from) work += m.work;
    const span = Math.max(1000, Math.min(windowMs, now - this.connectedAt));
    return work / (span / 1000);
  }

  /** A new upstream job (or the same one again after a difficulty change). */
  onJob(job: MinerJob, clean: boolean): void {
    if (this.closed) return;
    if (this.waiting.length > 0) {
      // The handshake waited for this first job; authorize sends the work itself.
      this.drainWaiting();
      return;
    }
    if (!this.authorized || this.prefix === null) return;
    if (job.source.extranonce2Size !== this.upstreamSize) {
      // The pool session changed its extranonce2 size: this miner's split no longer fits.
      this.close(`upstream extranonce2 size changed to ${job.source.extranonce2Size}; miner must resubscribe`);
      return;
    }
    if (clean) { this.seen.clear(); this.jobDifficulty.clear(); }
    this.maybeRetarget();
    this.jobDifficulty.set(job.id, this.difficulty);
    if (this.jobDifficulty.size > 64) this.jobDifficulty.delete(this.jobDifficulty.keys().next().value as string);
    this.send({ id: null, method: 'mining.notify', params: notifyParams(job, clean) });
  }

  /** Telemetry counters for presence. */
  snapshot(): { hashrate: { '10s': number; '60s': number; '15m': number }; uptimeS: number } {
    return {
      hashrate: { '10s': Math.round(this.hashrate(10_000)), '60s': Math.round(this.hashrate(60_000)), '15m': Math.round(this.hashrate(900_000)) },
      uptimeS: Math.round((this.ctx.now() - this.connectedAt) / 1000),
    };
  }

  private armHandshakeTimer(): void {
    if (this.handshakeTimer !== null) this.ctx.clock.clearTimeout(this.handshakeTimer);
    this.handshakeTimer = this.ctx.clock.setTimeout(() => {
      if (!this.authorized && this.ctx.currentJob() !== null) this.close('no mining.authorize within the handshake timeout');
      else if (!this.authorized) this.armHandshakeTimer();
    }, HANDSHAKE_TIMEOUT_MS);
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return; // input after a close is not read
    const { lines, errors } = this.framer.push(chunk);
    for (const e of errors) this.strike(e);
    for (const line of lines) {
      if (this.closed) return;
      this.handleLine(line);
    }
  }

  private strike(e: HashlingError): void {
    this.ctx.log(`${e.code} miner ${this.label}: ${e.message}`);
    if (++this.strikes >= MAX_STRIKES) this.close(`${MAX_STRIKES} bad messages`);
  }

  private get label(): string {
    return `${this.deviceId ?? `#${this.seq}`}@${this.remote ?? '?'}`;
  }

  /** The one catch point of this input path. */
  private handleLine(line: string): void {
    let msg;
    try {
      msg = parseStratumLine(line);
    } catch (err) {
      this.strike(err instanceof HashlingError ? err : new HashlingError('E_STRATUM', String(err)));
      return;
    }
    if (msg.kind === 'response') return; // e.g. an answer to client.get_version; nothing asked for it
    if (!this.bucket.take(this.ctx.now())) {
      this.error(msg.id, 20, 'rate limited');
      this.strike(new HashlingError('E_RATE_LIMITED', `more than ${RATE_PER_S} messages per second`));
      return;
    }
    if (this.ctx.currentJob() === null && msg.method !== 'mining.submit') {
      // No upstream work yet: answer the handshake once there is (a miner retries slowly after an error).
      if (this.waiting.length >= MAX_WAITING) { this.close('too many messages before upstream work'); return; }
      this.waiting.push(msg);
      return;
    }
    try {
      this.handle(msg);
    } catch (err) {
      const e = err instanceof HashlingError ? err : new HashlingError('E_INTERNAL', String(err));
      this.error(msg.id, 20, e.message);
      this.strike(e);
    }
  }

  private drainWaiting(): void {
    for (const m of this.waiting.splice(0)) {
      if (this.closed) return;
      try { this.handle(m); } catch (err) { this.strike(err instanceof HashlingError ? err : new HashlingError('E_INTERNAL', String(err))); }
    }
  }

  private handle(msg: StratumRequest): void {
    switch (msg.method) {
      case 'mining.configure': return this.configure(msg);
      case 'mining.subscribe': return this.subscribe(msg);
      case 'mining.authorize': return this.authorize(msg);
      case 'mining.suggest_difficulty': return this.suggest(msg);
      case 'mining.extranonce.subscribe':
        // Accepted; this endpoint never changes a miner's extranonce1.
        this.result(msg.id, true);
        return;
      case 'mining.submit': return this.submit(msg);
      default:
        this.error(msg.id, 20, `unsupported method ${msg.method.slice(0, 40)}`);
    }
  }

  /** BIP310: version rolling (the mask granted is the miner's ∩ the pool's) and minimum-difficulty. */
  private configure(msg: StratumRequest): void {
    const [exts, p] = msg.params as [unknown, Record<string, unknown> | undefined];
    const list = Array.isArray(exts) ? exts : [];
    const params = p && typeof p === 'object' ? p : {};
    const out: Record<string, unknown> = {};
    if (list.includes('version-rolling')) {
      const asked = typeof params['version-rolling.mask'] === 'string' && /^[0-9a-fA-F]{1,8}$/.test(params['version-rolling.mask'] as string)
        ? parseInt(params['version-rolling.mask'] as string, 16) >>> 0 : 0xffffffff;
      const pool = this.ctx.currentJob()?.source.versionMask ?? null;
      const mask = pool === null ? 0 : (asked & pool) >>> 0;
      this.versionMask = mask === 0 ? null : mask;
      out['version-rolling'] = mask !== 0;
      out['version-rolling.mask'] = mask.toString(16).padStart(8, '0');
    }
    if (list.includes('minimum-difficulty')) {
      const v = Number(params['minimum-difficulty.value']);
      if (Number.isFinite(v) && v > 0) this.minDifficulty = v;
      out['minimum-difficulty'] = Number.isFinite(v) && v > 0;
    }
    this.result(msg.id, out);
  }

  private subscribe(msg: StratumRequest): void {
    if (this.prefix !== null) { this.error(msg.id, 20, 'already subscribed'); return; }
    const job = this.ctx.currentJob()!;
    const ua = msg.params[0];
    this.userAgent = typeof ua === 'string' ? ua.replace(/[^\x20-\x7e]/g, '').slice(0, 64) : null;
    const size = job.source.extranonce2Size;
    const bytes = size >= 4 ? 2 : 1;
    if (size - bytes < 1) { this.error(msg.id, 20, `upstream extranonce2 of ${size} bytes leaves no room for miners`); this.close('no extranonce2 room'); return; }
    const prefix = this.ctx.takePrefix(bytes);
    if (prefix === null) { this.error(msg.id, 20, 'no free extranonce1'); this.close('extranonce1 space full'); return; }
    this.prefix = prefix;
    this.upstreamSize = size;
    this.extranonce2Size = size - bytes;
    const sub = `hl${this.seq.toString(16)}`;
    this.result(msg.id, [[['mining.set_difficulty', sub], ['mining.notify', sub]], prefix, this.extranonce2Size]);
  }

  private authorize(msg: StratumRequest): void {
    const [user, password] = msg.params;
    if (typeof user !== 'string' || user === '' || user.length > 256) { this.error(msg.id, 24, 'worker name required'); return; }
    const id = workerDeviceId(user);
    const why = checkAuthorize(this.ctx.auth, id, password);
    if (why !== null) {
      this.error(msg.id, 24, `Unauthorized worker: ${why}`);
      this.strike(new HashlingError('E_STRATUM', `authorize refused for ${id}: ${why}`));
      return;
    }
    if (this.deviceId !== null && this.deviceId !== id) { this.error(msg.id, 24, `this connection is device ${this.deviceId}`); return; }
    if (this.deviceId === null) {
      const taken = this.ctx.claim(id, this);
      if (taken !== null) { this.error(msg.id, 24, `Unauthorized worker: ${taken}`); return; }
      this.deviceId = id;
    }
    this.workers.add(user);
    this.result(msg.id, true);
    if (this.workers.size === 1) {
      if (this.handshakeTimer !== null) this.ctx.clock.clearTimeout(this.handshakeTimer);
      this.handshakeTimer = null;
      this.ctx.onAuthorized(this);
      if (this.prefix !== null) this.pushWork();
    }
  }

  private suggest(msg: StratumRequest): void {
    const d = Number(msg.params[0]);
    if (!(Number.isFinite(d) && d > 0)) { this.error(msg.id, 20, 'mining.suggest_difficulty needs a number > 0'); return; }
    this.minDifficulty = d;
    this.result(msg.id, true);
    if (this.authorized && this.prefix !== null) {
      const next = this.clampDifficulty(d);
      if (next !== this.difficulty) { this.difficulty = next; this.pushWork(); }
    } else {
      this.difficulty = this.clampDifficulty(d);
    }
  }

  private clampDifficulty(d: number): number {
    const pool = this.ctx.poolDifficulty();
    const max = pool === null ? Infinity : pool;
    return Math.min(Math.max(d, this.minDifficulty), Math.max(this.minDifficulty, max));
  }

  /** set_difficulty, then the current job again (clean), so the new difficulty applies at once. */
  private pushWork(): void {
    this.send({ id: null, method: 'mining.set_difficulty', params: [this.difficulty] });
    const job = this.ctx.currentJob();
    if (job) this.onJob(this.ctx.reannounce(job), true);
  }

  private maybeRetarget(): void {
    const pool = this.ctx.poolDifficulty();
    const next = retarget(this.difficulty, this.window, this.ctx.now(), {
      intervalS: this.ctx.shareIntervalS, algo: this.ctx.algo, min: Math.max(this.minDifficulty, 1e-12), max: pool ?? Infinity,
    });
    if (next === null) return;
    this.difficulty = next;
    this.window = { since: this.ctx.now(), shares: 0, work: 0 };
    this.send({ id: null, method: 'mining.set_difficulty', params: [next] });
  }

  private submit(msg: StratumRequest): void {
    if (!this.authorized || this.prefix === null) { this.reject(msg.id, 'unauthorized', 'not subscribed and authorized'); return; }
    const v = checkMinerSubmit(msg.params, {
      workers: this.workers, prefix: this.prefix, extranonce2Size: this.extranonce2Size, versionMask: this.versionMask, algo: this.ctx.algo,
      job: (id) => this.ctx.job(id), isLive: (id) => this.ctx.isLive(id),
      difficulties: (id) => [this.jobDifficulty.get(id) ?? this.difficulty, this.difficulty],
      seen: this.seen, hashAt: this.ctx.hashAt,
    }, this.ctx.poolTarget());
    if (!v.ok) { this.reject(msg.id, v.reason, v.message); return; }
    this.result(msg.id, true);
    const now = this.ctx.now();
    const work = v.difficulty * hashesPerDifficulty(this.ctx.algo);
    this.counters.accepted++;
    this.marks.push({ at: now, work });
    this.window.shares++;
    this.window.work += work;
    if (this.window.shares >= 6) {
      // A fast miner at too low a difficulty: retarget now and send work at the new one.
      const before = this.difficulty;
      this.maybeRetarget();
      if (this.difficulty !== before) { const job = this.ctx.currentJob(); if (job) this.onJob(this.ctx.reannounce(job), false); }
    }
    if (v.forward) this.forward(v.forward);
  }

  private forward(share: ShareSubmission): void {
    void this.ctx.submit(share).then((out: SubmitOutcome) => {
      if (out.status === 'accepted' || out.status === 'rejected') {
        this.counters.pool_submitted++;
        if (out.status === 'accepted') this.counters.pool_accepted++;
      }
    });
  }

  private reject(id: StratumRequest['id'], reason: MinerRejectReason, message: string): void {
    this.counters.rejected[reason] = (this.counters.rejected[reason] ?? 0) + 1;
    this.error(id, MINER_ERROR_CODES[reason], message);
    if (reason === 'malformed' || reason === 'unauthorized') this.strike(new HashlingError('E_STRATUM', `submit rejected: ${message}`));
  }

  private result(id: StratumRequest['id'], result: unknown): void {
    if (id === null) return;
    this.send({ id, result, error: null });
  }

  private error(id: StratumRequest['id'], code: number, message: string): void {
    if (id === null) return;
    this.send({ id, result: null, error: [code, message, null] });
  }

  private send(o: unknown): void {
    if (this.closed) return;
    this.socket.write(`${JSON.stringify(o)}\n`);
  }
}
