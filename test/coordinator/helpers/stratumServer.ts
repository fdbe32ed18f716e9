// A Stratum V1 pool for tests: real TCP on loopback, scripted replies, and its
// own share check written against node:crypto only (not the coordinator's
// header code), so a submit is judged the way an independent pool would.
//
// Besides replaying a scripted session (the genesis job, or the recorded
// public-pool session) it can behave like the pools hashling meets (`dialect`),
// as read from their sources:
// - public-pool (benjamin-wilson/public-pool, StratumV1Client.ts): a random
//   extranonce1 per connection (also its session id, never resumed); starts at
//   16384 unless a mining.suggest_difficulty came first, honours only the first
//   suggestion (answering with set_difficulty); judges a share at the
//   difficulty in force at submit; on every difficulty change re-sends the same
//   template under a new job id marked clean; decays the difficulty when no
//   shares come; sends version/nbits/ntime without leading zeros;
// - ckpool (ckolivas/ckpool, stratifier.c): drops a client whose first call is
//   not mining.subscribe (before its version-mask support); resumes a session
//   subscribed with a known session id (same extranonce1); takes suggestions
//   only after authorize, integers only, clamped to mindiff, without a reply;
//   judges a share at the difficulty in force when its job was sent; reports
//   rejects as result false with a "reject-reason".
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { createHash, scryptSync } from 'node:crypto';

export interface ServerScript {
  /** mining.subscribe result, e.g. [[["mining.notify","57a6f098"]],"57a6f098",4]. */
  subscribeResult: unknown;
  /** mining.configure result; undefined answers with an "unknown method" error. */
  configureResult?: unknown;
  /** Raw lines sent right after a successful mining.authorize (set_difficulty, notify). */
  greeting: string[];
  /** Answer to mining.authorize (default true). */
  authorize?: boolean;
  /** Serve stratum+ssl with this PEM key and certificate. */
  tls?: { key: string; cert: string };
  /** Behave like a real pool (see above); the greeting then only supplies the template notify. */
  dialect?: 'public-pool' | 'ckpool';
  /** First difficulty of a session (public-pool 16384, ckpool 42 by default). */
  startDifficulty?: number;
  /** public-pool: divide the difficulty by `factor` every `everyMs` without an accepted share. */
  decay?: { everyMs: number; factor: number; min: number };
  /** ckpool: drop a client whose first call is not mining.subscribe. */
  dropBeforeSubscribe?: boolean;
  /** ckpool's mindiff (suggestions are clamped to it). Default 1. */
  minDifficulty?: number;
  /** Proof of work used to judge shares (scrypt: diff 1 = 2^16 × sha256d's target). */
  algo?: 'sha256d' | 'scrypt';
  /** extranonce2 size of dialect sessions (default 4). */
  extranonce2Size?: number;
}

export interface ReceivedSubmit {
  params: string[];
  accepted: boolean;
  error: string | null;
  /** Display-order hash the server computed for the submit. */
  hash: string;
  /** The difficulty the share was judged at. */
  difficulty: number;
  at: number;
}

interface PoolJob { params: unknown[] }

interface Client {
  socket: Socket;
  extranonce1: string;
  subscribed: boolean;
  authorized: boolean;
  difficulty: number;
  /** Difficulty in force when each job was sent to this client (ckpool judges by it). */
  jobDifficulty: Map<string, number>;
  suggested: boolean;
  sharesSinceCheck: number;
  /** Lines that arrived before a reply is due (public-pool answers on subscribe + authorize). */
}

const sha256d = (b: Buffer) => createHash('sha256').update(createHash('sha256').update(b).digest()).digest();
const DIFF1 = 0xffffn << 208n;

/** Hex without leading zeros, as public-pool writes version/nbits/ntime. */
const unpadded = (hex: string) => hex.replace(/^0+(?=.)/, '');

export class TestStratumServer {
  readonly script: ServerScript;
  port = 0;
  submits: ReceivedSubmit[] = [];
  /** Every line received from clients, in order. */
  received: Array<{ method: string; params: unknown[] }> = [];
  /** Connections accepted so far (sessions, including ones dropped). */
  connections = 0;
  /** Drop the connection on the next mining.submit without judging or answering it. */
  crashOnNextSubmit = false;
  /** Current template notify params (without job id and clean flag), dialects only. */
  template: unknown[] | null = null;
  private server: Server | null = null;
  private clientsBySocket = new Map<Socket, Client>();
  private jobs = new Map<string, PoolJob>();
  private difficulty = 1;
  private seen = new Set<string>();
  private jobSeq = 0;
  private en1Seq = 0;
  /** ckpool: session id → extranonce1, for resuming. */
  private sessions = new Map<string, string>();
  private decayTimer: NodeJS.Timeout | null = null;

  constructor(script: ServerScript) {
    this.script = script;
    if (script.dialect) {
      const notify = script.greeting.map((l) => JSON.parse(l)).find((m) => m.method === 'mining.notify');
      this.template = notify ? (notify.params as unknown[]).slice(1, 8) : null;
    }
  }

  get url(): string {
    return `${this.script.tls ? 'stratum+ssl' : 'stratum+tcp'}://127.0.0.1:${this.port}`;
  }

  get clients(): number {
    return this.clientsBySocket.size;
  }

  /** Difficulty of the (first) connected client, for assertions. */
  get clientDifficulty(): number | null {
    const c = this.clientsBySocket.values().next().value as Client | undefined;
    return c ? c.difficulty : null;
  }

  async listen(port = 0): Promise<this> {
    this.server = this.script.tls
      ? createTlsServer(this.script.tls, (s) => this.onClient(s))
      : createServer((s) => this.onClient(s));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as { port: number }).port;
    if (this.script.decay) this.decayTimer = setInterval(() => this.decayTick(), this.script.decay.everyMs);
    return this;
  }

  /** Sends a line to every authorized client (and tracks jobs/difficulty it carries). */
  broadcast(line: string): void {
    this.track(line);
    for (const c of this.clientsBySocket.values()) if (c.authorized) this.write(c, line);
  }

  notify(params: unknown[]): void {
    this.broadcast(JSON.stringify({ id: null, method: 'mining.notify', params }));
  }

  setDifficulty(d: number): void {
    if (this.script.dialect) {
      for (const c of this.clientsBySocket.values()) if (c.authorized) this.changeDifficulty(c, d);
      return;
    }
    this.broadcast(JSON.stringify({ id: null, method: 'mining.set_difficulty', params: [d] }));
  }

  /** Dialects: a new job from the current template under a fresh id, to every client. */
  newJob(clean: boolean): string {
    const id = this.nextJobId();
    for (const c of this.clientsBySocket.values()) if (c.authorized || (c.subscribed && this.script.dialect === 'ckpool')) this.sendJob(c, id, clean);
    return id;
  }

  /** Raw bytes to every client (garbage tests). */
  writeRaw(text: string): void {
    for (const s of this.clientsBySocket.keys()) s.write(text);
  }

  /** client.reconnect to every client. */
  sendReconnect(host?: string, port?: number, waitS?: number): void {
    const params = host === undefined ? [] : [host, port, waitS];
    for (const c of this.clientsBySocket.values()) this.write(c, JSON.stringify({ id: null, method: 'client.reconnect', params }));
  }

  /** Closes the listener and every client: the pool goes away. */
  async close(): Promise<void> {
    if (this.decayTimer) clearInterval(this.decayTimer);
    this.decayTimer = null;
    for (const s of this.clientsBySocket.keys()) s.destroy();
    this.clientsBySocket.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }

  async waitFor(pred: () => boolean, ms: number, what: string): Promise<void> {
    const end = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private nextJobId(): string {
    ++this.jobSeq;
    // ckpool's job ids are hex workbase ids, public-pool's a decimal counter.
    return this.script.dialect === 'ckpool' ? this.jobSeq.toString(16) : String(this.jobSeq);
  }

  private write(c: Client, line: string): void {
    if (!c.socket.destroyed) c.socket.write(`${line}\n`);
  }

  private sendJob(c: Client, id: string, clean: boolean): void {
    const t = this.template!;
    const fields = this.script.dialect === 'public-pool' ? [t[4], unpadded(String(t[5])), unpadded(String(t[6]))] : [t[4], t[5], t[6]];
    const params = [id, t[0], t[1], t[2], t[3], ...fields, clean];
    this.jobs.set(id, { params });
    c.jobDifficulty.set(id, c.difficulty);
    this.write(c, JSON.stringify({ id: null, method: 'mining.notify', params }));
  }

  /** set_difficulty; public-pool also re-sends the template under a new id, clean. */
  private changeDifficulty(c: Client, d: number): void {
    c.difficulty = d;
    this.write(c, JSON.stringify({ id: null, method: 'mining.set_difficulty', params: [d] }));
    if (this.script.dialect === 'public-pool' && this.template) this.sendJob(c, this.nextJobId(), true);
  }

  private decayTick(): void {
    const dcy = this.script.decay!;
    for (const c of this.clientsBySocket.values()) {
      if (!c.authorized) continue;
      if (c.sharesSinceCheck === 0 && c.difficulty > dcy.min) this.changeDifficulty(c, Math.max(dcy.min, c.difficulty / dcy.factor));
      c.sharesSinceCheck = 0;
    }
  }

  private track(line: string): void {
    const msg = JSON.parse(line);
    if (msg.method === 'mining.notify') {
      if (msg.params[8] === true) this.jobs.clear();
      this.jobs.set(String(msg.params[0]), { params: msg.params });
      for (const c of this.clientsBySocket.values()) c.jobDifficulty.set(String(msg.params[0]), c.difficulty);
    } else if (msg.method === 'mining.set_difficulty') {
      this.difficulty = msg.params[0];
      for (const c of this.clientsBySocket.values()) c.difficulty = msg.params[0];
    }
  }

  private onClient(socket: Socket): void {
    this.connections++;
    const c: Client = {
      socket, extranonce1: '', subscribed: false, authorized: false, jobDifficulty: new Map(), suggested: false, sharesSinceCheck: 0,
      difficulty: this.script.dialect ? (this.script.startDifficulty ?? (this.script.dialect === 'ckpool' ? 42 : 16384)) : this.difficulty,
    };
    this.clientsBySocket.set(socket, c);
    socket.on('close', () => this.clientsBySocket.delete(socket));
    socket.on('error', () => undefined);
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim() === '' || socket.destroyed) continue;
        this.onLine(c, JSON.parse(line));
      }
    });
  }

  private reply(c: Client, id: unknown, result: unknown, error: unknown = null, extra: Record<string, unknown> = {}): void {
    this.write(c, JSON.stringify({ id, error, result, ...extra }));
  }

  private onLine(c: Client, msg: { id: unknown; method: string; params: unknown[] }): void {
    this.received.push({ method: msg.method, params: msg.params });
    const dialect = this.script.dialect;
    if (dialect === 'ckpool' && this.script.dropBeforeSubscribe && !c.subscribed && msg.method !== 'mining.subscribe') {
      // stratifier.c: "Dropping unsubscribed client".
      c.socket.destroy();
      return;
    }
    switch (msg.method) {
      case 'mining.configure':
        if (this.script.configureResult === undefined) this.reply(c, msg.id, null, [20, 'Unknown method', null]);
        else this.reply(c, msg.id, this.script.configureResult);
        return;
      case 'mining.subscribe': {
        c.subscribed = true;
        if (!dialect) { this.reply(c, msg.id, this.script.subscribeResult); return; }
        const resume = typeof msg.params[1] === 'string' ? msg.params[1] : null;
        const known = dialect === 'ckpool' && resume !== null ? this.sessions.get(resume) : undefined;
        c.extranonce1 = known ?? (0x10000000 + ++this.en1Seq * 0x1111).toString(16).padStart(8, '0');
        if (dialect === 'ckpool') this.sessions.set(c.extranonce1, c.extranonce1);
        this.reply(c, msg.id, [[['mining.set_difficulty', c.extranonce1], ['mining.notify', c.extranonce1]], c.extranonce1, this.script.extranonce2Size ?? 4]);
        if (dialect === 'ckpool' && this.template) {
          // update_client: work and difficulty right after subscribe.
          this.write(c, JSON.stringify({ id: null, method: 'mining.set_difficulty', params: [c.difficulty] }));
          this.sendJob(c, this.jobSeq > 0 ? this.jobSeq.toString(16) : this.nextJobId(), true);
        }
        return;
      }
      case 'mining.suggest_difficulty': {
        const d = msg.params[0];
        if (dialect === 'public-pool') {
          if (c.suggested || typeof d !== 'number') return;
          c.suggested = true;
          c.difficulty = d;
          // Answered with a set_difficulty notification, not a reply to the id.
          this.write(c, JSON.stringify({ id: null, method: 'mining.set_difficulty', params: [d] }));
          if (c.authorized) this.sendJob(c, this.nextJobId(), true);
          return;
        }
        if (dialect === 'ckpool') {
          if (!c.authorized || !Number.isInteger(d)) return;
          const v = Math.max(d as number, this.script.minDifficulty ?? 1);
          if (v !== c.difficulty) {
            c.difficulty = v;
            this.write(c, JSON.stringify({ id: null, method: 'mining.set_difficulty', params: [v] }));
          }
          return;
        }
        this.reply(c, msg.id, null, [20, 'Unknown method', null]);
        return;
      }
      case 'mining.authorize': {
        const ok = this.script.authorize ?? true;
        this.reply(c, msg.id, ok, ok ? null : [24, 'Unauthorized worker', null]);
        if (!ok) return;
        c.authorized = true;
        if (!dialect) {
          for (const line of this.script.greeting) { this.track(line); this.write(c, line); }
          return;
        }
        if (dialect === 'public-pool') {
          if (!c.suggested) this.write(c, JSON.stringify({ id: null, method: 'mining.set_difficulty', params: [c.difficulty] }));
          this.sendJob(c, this.jobSeq > 0 && this.jobs.has(String(this.jobSeq)) ? String(this.jobSeq) : this.nextJobId(), true);
        }
        return;
      }
      case 'mining.submit': {
        if (this.crashOnNextSubmit) {
          this.crashOnNextSubmit = false;
          c.socket.destroy();
          return;
        }
        const v = this.check(c, msg.params as string[]);
        this.submits.push({ params: msg.params as string[], accepted: v.accepted, error: v.error, hash: v.hash, difficulty: v.difficulty, at: Date.now() });
        if (v.accepted) c.sharesSinceCheck++;
        if (dialect === 'ckpool') this.reply(c, msg.id, v.accepted, null, v.accepted ? {} : { 'reject-reason': v.error });
        else this.reply(c, msg.id, v.accepted, v.error === null ? null : [v.code, v.error, null]);
        return;
      }
      default:
        this.reply(c, msg.id, null, [20, 'Unknown method', null]);
    }
  }

  /** Rebuilds the header from the submit exactly as a pool does and checks the share. */
  private check(c: Client, p: string[]): { accepted: boolean; error: string | null; code: number; hash: string; difficulty: number } {
    const [, jobId, en2, ntime, nonce, vbits] = p;
    const job = this.jobs.get(jobId!);
    const dialect = this.script.dialect;
    const difficulty = dialect === 'ckpool' ? (c.jobDifficulty.get(jobId!) ?? c.difficulty) : c.difficulty;
    if (!job) return { accepted: false, error: dialect === 'ckpool' ? 'Invalid JobID' : 'Job not found', code: 21, hash: '', difficulty };
    const [, prevhash, coinb1, coinb2, branch, version, nbits] = job.params as [string, string, string, string, string[], string, string];
    const size = dialect ? (this.script.extranonce2Size ?? 4) : (this.script.subscribeResult as [unknown, string, number])[2];
    const en1 = dialect ? c.extranonce1 : (this.script.subscribeResult as [unknown, string, number])[1];
    if (en2!.length !== size * 2) return { accepted: false, error: 'Incorrect size of extranonce2', code: 20, hash: '', difficulty };
    let root = sha256d(Buffer.from(coinb1 + en1 + en2 + coinb2, 'hex'));
    for (const b of branch) root = sha256d(Buffer.concat([root, Buffer.from(b, 'hex')]));
    const prev = Buffer.from(prevhash, 'hex');
    for (let i = 0; i < 32; i += 4) prev.subarray(i, i + 4).reverse();
    const mask = (this.script.configureResult as { 'version-rolling.mask'?: string } | undefined)?.['version-rolling.mask'];
    let ver = parseInt(version, 16);
    if (vbits !== undefined) {
      const bits = parseInt(vbits, 16);
      if (mask === undefined || (bits & ~parseInt(mask, 16)) !== 0) return { accepted: false, error: 'Invalid version bits', code: 20, hash: '', difficulty };
      // BIP310: (job_version & ~mask) | (bits & mask).
      ver = ((ver & ~parseInt(mask, 16)) | bits) >>> 0;
    }
    const header = Buffer.alloc(80);
    header.writeUInt32LE(ver >>> 0, 0);
    prev.copy(header, 4);
    root.copy(header, 36);
    header.writeUInt32LE(parseInt(ntime!, 16), 68);
    header.writeUInt32LE(parseInt(nbits, 16), 72);
    header.writeUInt32LE(parseInt(nonce!, 16), 76);
    const pow = this.script.algo === 'scrypt' ? scryptSync(header, header, 32, { N: 1024, r: 1, p: 1 }) : sha256d(header);
    const hash = Buffer.from(pow).reverse().toString('hex');
    const key = `${en1}/${jobId}/${en2}/${ntime}/${nonce}/${vbits ?? ''}`;
    if (this.seen.has(key)) return { accepted: false, error: dialect === 'ckpool' ? 'Duplicate' : 'Duplicate share', code: 22, hash, difficulty };
    this.seen.add(key);
    // 2^64 fixed point keeps difficulties down to ~1e-12 exact enough.
    const one = this.script.algo === 'scrypt' ? DIFF1 << 16n : DIFF1;
    const target = (one << 64n) / BigInt(Math.max(1, Math.round(difficulty * 2 ** 64)));
    if (BigInt(`0x${hash}`) > target) return { accepted: false, error: dialect === 'ckpool' ? 'Above target' : 'Low difficulty share', code: 23, hash, difficulty };
    return { accepted: true, error: null, code: 0, hash, difficulty };
  }
}

/** The recorded public-pool session of ../shared/vectors/stratum-v1.json as a server script. */
export function recordedScript(rec: Record<string, string>): ServerScript {
  return {
    subscribeResult: JSON.parse(rec.subscribe_response_raw!).result,
    configureResult: JSON.parse(rec.configure_response_raw!).result,
    greeting: [rec.set_difficulty_raw!, rec.notify_raw!],
  };
}
