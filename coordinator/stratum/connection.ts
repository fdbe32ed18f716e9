// One Stratum V1 session with one pool over TCP or TLS: handshake, job stream,
// submits. Failover and reconnects live in poolSet.ts; this file only speaks
// the protocol over one socket and reports when it ends.
//
// Handshake (pipelined, as cgminer and Bitaxe do): mining.configure (BIP310, asking
// for version rolling), mining.subscribe, mining.authorize, then
// mining.extranonce.subscribe (NiceHash) so the pool may send mining.set_extranonce.
import { EventEmitter } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { HashlingError } from '../../protocol/errors.ts';
import { LineFramer } from './framing.ts';
import {
  parseStratumLine, parseSubscribeResult, parseConfigureResult, parseSetDifficulty, parseNotify,
  parseSetExtranonce, parseBooleanReply, type StratumResponse, type StratumJobTemplate,
} from './messages.ts';
import { parsePoolUrl, type PoolEndpoint } from './url.ts';

export interface ConnectionOptions {
  url: string;
  user: string;
  password: string;
  userAgent?: string;
  /** Mask asked for in mining.configure; BIP310 suggests 0x1fffe000 (bits 13-28). */
  versionRollingMask?: number;
  /** Reply deadline for handshake calls and submits. */
  requestTimeoutMs?: number;
  /** Verify the pool's TLS certificate (stratum+ssl); off only for self-signed test pools. */
  tlsRejectUnauthorized?: boolean;
  tlsCa?: string | Buffer;
}

export interface SessionInfo {
  extranonce1: string;
  extranonce2Size: number;
  versionMask: number | null;
}

export interface SubmitReply {
  accepted: boolean;
  error: string | null;
}

export interface ConnectionEvents {
  job: [StratumJobTemplate];
  difficulty: [number];
  extranonce: [SessionInfo];
  /** A line that is not valid Stratum; the session continues. */
  warning: [HashlingError];
  message: [string];
  close: [string];
}

interface Pending {
  resolve(msg: StratumResponse): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
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
  lastJob: StratumJobTemplate | null = null;

  constructor(opts: ConnectionOptions) {
    super();
    this.opts = opts;
    this.endpoint = parsePoolUrl(opts.url);
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
      const timer = setTimeout(() => reject(new HashlingError('E_STRATUM', `connect to ${host}:${port} timed out`)), timeout);
      socket.once(tls ? 'secureConnect' : 'connect', () => { clearTimeout(timer); resolve(); });
      socket.once('close', () => { clearTimeout(timer); reject(new HashlingError('E_STRATUM', `cannot connect to ${host}:${port}`)); });
    }).catch((err) => { this.close((err as Error).message); throw err; });
    try {
      const mask = this.opts.versionRollingMask ?? 0x1fffe000;
      const configure = this.call('mining.configure', [['version-rolling'], {
        'version-rolling.mask': mask.toString(16).padStart(8, '0'), 'version-rolling.min-bit-count': 2,
      }]).then((r) => (r.error === null ? parseConfigureResult(r.result) : { versionRolling: false, mask: null }))
        // A pool that predates BIP310 may never answer; treat silence as "no rolling".
        .catch(() => ({ versionRolling: false, mask: null }));
      const subscribe = this.call('mining.subscribe', [this.opts.userAgent ?? 'hashling/0.1']);
      const authorize = this.call('mining.authorize', [this.opts.user, this.opts.password]);
      const sub = await subscribe;
      if (sub.error !== null) throw new HashlingError('E_STRATUM', `mining.subscribe failed: ${sub.error}`);
      const { extranonce1, extranonce2Size } = parseSubscribeResult(sub.result);
      const auth = parseBooleanReply(await authorize);
      if (!auth.accepted) throw new HashlingError('E_STRATUM', `mining.authorize rejected for ${this.opts.user}: ${auth.error}`);
      const conf = await configure;
      this.session = { extranonce1, extranonce2Size, versionMask: conf.versionRolling ? conf.mask : null };
      this.call('mining.extranonce.subscribe', []).catch(() => undefined);
    } catch (err) {
      this.close((err as Error).message);
      throw err;
    }
    if (this.closed) throw new HashlingError('E_STRATUM', 'connection closed during handshake');
    this.ready = true;
    for (const replay of this.early.splice(0)) replay();
    return this.session;
  }

  /** Sends mining.submit; resolves with the pool's verdict (a timeout counts as not accepted). */
  async submit(params: string[]): Promise<SubmitReply> {
    try {
      return parseBooleanReply(await this.call('mining.submit', params));
    } catch (err) {
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
        this.deliver(() => { this.lastJob = job; this.emit('job', job); });
        return;
      }
      case 'mining.set_difficulty': {
        const d = parseSetDifficulty(msg.params);
        this.deliver(() => { this.difficulty = d; this.emit('difficulty', d); });
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
      case 'client.reconnect':
        // Reconnect to the same configured endpoint: following a redirect to another
        // host would let whoever controls the pool stream send the fleet anywhere.
        this.close('pool asked to reconnect');
        return;
      default:
        if (msg.id !== null) this.reply(msg.id, null, [20, `unsupported method ${msg.method}`, null]);
    }
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
