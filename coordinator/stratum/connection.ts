// One Stratum V1 session with one pool over TCP or TLS: handshake, job stream,
// submits. Failover and reconnects live in poolSet.ts; this file only speaks
// the protocol over one socket and reports when it ends.
//
// Handshake (pipelined, as cgminer and Bitaxe do), each step switchable because
// pools differ in what they tolerate:
//   mining.configure (BIP310, version rolling)  — `configure`; ckpool before its
//       2018 version-mask support drops a client whose first call is not subscribe;
//   mining.subscribe [user agent, session id?]  — the session id of the previous
//       session asks the pool to resume it (same extranonce1, jobs still valid);
//   mining.suggest_difficulty                  — before authorize, because
//       public-pool honours only the first suggestion and, without one by the time
//       it has subscribe + authorize, starts the session at 16384;
//   mining.authorize;
//   mining.extranonce.subscribe (NiceHash)     — `extranonceSubscribe`; NiceHash's
//       own spec warns that some pools drop a client that sends it.
// ckpool ignores a suggestion before authorize and takes integers only
// (stratifier.c suggest_diff), so when the difficulty the pool sets with the
// first job is not the one suggested, the suggestion is sent once more as an
// integer ≥ 1.
import { EventEmitter } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { HashlingError } from '../../protocol/errors.ts';
import { LineFramer } from './framing.ts';
import {
  parseStratumLine, parseSubscribeResult, parseConfigureResult, parseSetDifficulty, parseNotify,
  parseSetExtranonce, parseBooleanReply, parseReconnect, type StratumResponse, type StratumJobTemplate, type ReconnectRequest,
} from './messages.ts';
import { parsePoolUrl, type PoolEndpoint } from './url.ts';

export interface ConnectionOptions {
  url: string;
  user: string;
  password: string;
  userAgent?: string;
  /** Send mining.configure asking for version rolling (default true). */
  configure?: boolean;
  /** Send mining.extranonce.subscribe after authorize (default true). */
  extranonceSubscribe?: boolean;
  /** Mask asked for in mining.configure; BIP310 suggests 0x1fffe000 (bits 13-28). */
  versionRollingMask?: number;
  /** Session id of an earlier session with this pool, to resume it. */
  resumeSessionId?: string | null;
  /** Difficulty to suggest right after subscribe; null sends none. */
  suggestDifficulty?: number | null;
  /** Reply deadline for handshake calls and submits. */
  requestTimeoutMs?: number;
  /** Deadline of the TCP/TLS connect alone (default requestTimeoutMs). */
  connectTimeoutMs?: number;
  /** Verify the pool's TLS certificate (stratum+ssl); off only for self-signed test pools. */
  tlsRejectUnauthorized?: boolean;
  tlsCa?: string | Buffer;
}

export interface SessionInfo {
  extranonce1: string;
  extranonce2Size: number;
  versionMask: number | null;
  /** The pool's id for this session (mining.notify subscription id), for resuming it. */
  sessionId: string | null;
}

export interface SubmitReply {
  accepted: boolean;
  error: string | null;
  /** True when the session ended before the pool answered: the share may or may not have been counted. */
  unanswered?: boolean;
}

export interface ConnectionEvents {
  job: [StratumJobTemplate];
  difficulty: [number];
  extranonce: [SessionInfo];
  /** A line that is not valid Stratum; the session continues. */
  warning: [HashlingError];
  message: [string];
  /** client.reconnect: the session is closing; reconnect as the request says (if allowed). */
  reconnect: [ReconnectRequest];
  close: [string];
}

interface Pending {
  resolve(msg: StratumResponse): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/** The value actually sent in a suggestion: integers as integers (ckpool parses nothing else). */
export function suggestionValue(d: number, integer: boolean): number {
  if (integer) return Math.max(1, Math.round(d));
  return d >= 1 ? Math.round(d) : Number(d.toPrecision(3));
}

export class StratumConnection extends EventEmitter<ConnectionEvents> {
  readonly endpoint: PoolEndpoint;
  private readonly opts: ConnectionOptions;
  private socket: Socket | null = null;
  private framer = new LineFramer();
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private closed = false;
  private ready = false;
  /** Jobs and difficulty that arrive before authorize completes, replayed once ready. */
  private early: Array<() => void> = [];
  session: SessionInfo | null = null;
  difficulty = 1;
  /** True once the pool sent mining.set_difficulty in this session. */
  difficultySet = false;
  lastJob: StratumJobTemplate | null = null;
  /** Last difficulty suggested in this session (the value as sent), null when none. */
  suggested: number | null = null;
  private checkedSuggestion = false;

  constructor(opts: ConnectionOptions, endpoint?: PoolEndpoint) {
    super();
    this.opts = opts;
    this.endpoint = endpoint ?? parsePoolUrl(opts.url);
  }

  get isOpen(): boolean {
    return !this.closed && this.ready;
  }

  /** Connects and completes the handshake; rejects (and closes) on any failure. */
  async open(): Promise<SessionInfo> {
    const { host, port, tls } = this.endpoint;
    const timeout = this.opts.requestTimeoutMs ?? 10_000;
    const socket = tls
      ? tlsConnect({ host, port, servername: host, rejectUnauthorized: this.opts.tlsRejectUnauthorized ?? true, ca: this.opts.tlsCa })
      : netConnect({ host, port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.close(`socket error: ${err.message}`));
    socket.on('close', () => this.close('connection closed by pool'));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new HashlingError('E_STRATUM', `connect to ${host}:${port} timed out`)), this.opts.connectTimeoutMs ?? timeout);
      socket.once(tls ? 'secureConnect' : 'connect', () => { clearTimeout(timer); resolve(); });
      socket.once('close', () => { clearTimeout(timer); reject(new HashlingError('E_STRATUM', `cannot connect to ${host}:${port}`)); });
    }).catch((err) => { this.close((err as Error).message); throw err; });
    try {
      const noRolling = { versionRolling: false, mask: null };
      const configure = this.opts.configure === false ? Promise.resolve(noRolling) : this.call('mining.configure', [['version-rolling'], {
        'version-rolling.mask': (this.opts.versionRollingMask ?? 0x1fffe000).toString(16).padStart(8, '0'), 'version-rolling.min-bit-count': 2,
      }]).then((r) => (r.error === null ? parseConfigureResult(r.result) : noRolling))
        // A pool that predates BIP310 may never answer; treat silence as "no rolling".
        .catch(() => noRolling);
      const ua = this.opts.userAgent ?? 'hashling/0.1';
      const subscribe = this.call('mining.subscribe', this.opts.resumeSessionId ? [ua, this.opts.resumeSessionId] : [ua]);
      const d = this.opts.suggestDifficulty ?? null;
      if (d !== null) this.suggest(d, false);
      const authorize = this.call('mining.authorize', [this.opts.user, this.opts.password]);
      // Awaited below; if the pool drops us while subscribe is awaited, its rejection must not go unhandled.
      authorize.catch(() => undefined);
      const sub = await subscribe;
      if (sub.error !== null) throw new HashlingError('E_STRATUM', `mining.subscribe failed: ${sub.error}`);
      const { extranonce1, extranonce2Size, sessionId } = parseSubscribeResult(sub.result);
      const auth = parseBooleanReply(await authorize);
      if (!auth.accepted) throw new HashlingError('E_STRATUM', `mining.authorize rejected for ${this.opts.user}: ${auth.error}`);
      const conf = await configure;
      this.session = { extranonce1, extranonce2Size, versionMask: conf.versionRolling ? conf.mask : null, sessionId };
      if (this.opts.extranonceSubscribe !== false) this.call('mining.extranonce.subscribe', []).catch(() => undefined);
    } catch (err) {
      this.close((err as Error).message);
      throw err;
    }
    if (this.closed) throw new HashlingError('E_STRATUM', 'connection closed during handshake');
    this.ready = true;
    for (const replay of this.early.splice(0)) replay();
    return this.session;
  }

  /**
   * Sends mining.suggest_difficulty without waiting: pools answer it with
   * set_difficulty (public-pool), with nothing (ckpool), or an error.
   */
  suggest(d: number, integer: boolean): void {
    const value = suggestionValue(d, integer);
    this.suggested = value;
    this.call('mining.suggest_difficulty', [value]).catch(() => undefined);
  }

  /** Sends mining.submit; resolves with the pool's verdict (a timeout counts as not accepted). */
  async submit(params: string[]): Promise<SubmitReply> {
    try {
      return parseBooleanReply(await this.call('mining.submit', params));
    } catch (err) {
      // The socket closed with the submit in flight: the caller decides (resend or count).
      if (this.closed) return { accepted: false, error: (err as Error).message, unanswered: true };
      return { accepted: false, error: (err as Error).message };
    }
  }

  close(reason = 'closed'): void {
    if (this.closed) return;
    this.closed = true;
    this.ready = false;
    for (const p of this.pending.values()) { clearTimeout(p.timer); p.reject(new HashlingError('E_STRATUM', reason)); }
    this.pending.clear();
    this.socket?.destroy();
    this.emit('close', reason);
  }

  private call(method: string, params: unknown[]): Promise<StratumResponse> {
    if (this.closed || !this.socket) return Promise.reject(new HashlingError('E_STRATUM', 'not connected'));
    const id = this.nextId++;
    const timeout = this.opts.requestTimeoutMs ?? 10_000;
    return new Promise<StratumResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new HashlingError('E_STRATUM', `${method} got no reply within ${timeout} ms`));
      }, timeout);
      this.pending.set(id, { resolve, reject, timer });
      this.socket!.write(`${JSON.stringify({ id, method, params })}\n`);
    });
  }

  private onData(chunk: Buffer): void {
    const { lines, errors } = this.framer.push(chunk);
    for (const e of errors) this.emit('warning', e);
    for (const line of lines) {
      if (this.closed) return;
      try {
        this.onMessage(line);
      } catch (err) {
        this.emit('warning', err instanceof HashlingError ? err : new HashlingError('E_STRATUM', String(err)));
      }
    }
  }

  private onMessage(line: string): void {
    const msg = parseStratumLine(line);
    if (msg.kind === 'response') {
      const p = typeof msg.id === 'number' ? this.pending.get(msg.id) : undefined;
      if (!p) throw new HashlingError('E_STRATUM', `reply to unknown request id ${JSON.stringify(msg.id)}`);
      this.pending.delete(msg.id as number);
      clearTimeout(p.timer);
      p.resolve(msg);
      return;
    }
    switch (msg.method) {
      case 'mining.notify': {
        const job = parseNotify(msg.params);
        this.deliver(() => {
          this.lastJob = job;
          this.recheckSuggestion();
          this.emit('job', job);
        });
        return;
      }
      case 'mining.set_difficulty': {
        const d = parseSetDifficulty(msg.params);
        this.deliver(() => { this.difficulty = d; this.difficultySet = true; this.emit('difficulty', d); });
        return;
      }
      case 'mining.set_extranonce': {
        const en = parseSetExtranonce(msg.params);
        // NiceHash spec: the new extranonce applies from the next mining.notify on,
        // so jobs already received keep the extranonce1 they were built with.
        this.deliver(() => {
          this.session = { ...this.session!, ...en };
          this.emit('extranonce', this.session);
        });
        return;
      }
      case 'mining.set_version_mask': {
        // BIP310: the server may change the mask at any time; later jobs use it.
        const mask = parseInt(String(msg.params[0]), 16) >>> 0;
        this.deliver(() => { this.session = { ...this.session!, versionMask: mask === 0 ? null : mask }; });
        return;
      }
      case 'client.get_version':
        this.reply(msg.id, this.opts.userAgent ?? 'hashling/0.1');
        return;
      case 'client.show_message':
        this.emit('message', String(msg.params[0] ?? ''));
        return;
      case 'client.reconnect': {
        // The pool set decides where to go (the named host only when config allows).
        const req = parseReconnect(msg.params);
        this.emit('reconnect', req);
        this.close(`pool asked to reconnect${req.host ? ` to ${req.host}:${req.port ?? this.endpoint.port}` : ''}${req.waitS > 0 ? ` in ${req.waitS} s` : ''}`);
        return;
      }
      default:
        if (msg.id !== null) this.reply(msg.id, null, [20, `unsupported method ${msg.method}`, null]);
    }
  }

  /**
   * With the first job the pool's starting difficulty is known: if it is not the
   * suggested one, the pool ignored a pre-authorize suggestion (ckpool), so it is
   * sent again now, as an integer.
   */
  private recheckSuggestion(): void {
    if (this.checkedSuggestion || this.suggested === null) return;
    this.checkedSuggestion = true;
    // Pools may round a suggestion; within a factor of 2 it was honoured.
    if (this.difficultySet && this.difficulty / this.suggested < 2 && this.suggested / this.difficulty < 2) return;
    this.suggest(this.suggested, true);
  }

  private deliver(fn: () => void): void {
    if (this.ready) fn();
    else this.early.push(fn);
  }

  private reply(id: number | string | null, result: unknown, error: unknown = null): void {
    if (id === null || this.closed) return;
    this.socket?.write(`${JSON.stringify({ id, result, error })}\n`);
  }
}
