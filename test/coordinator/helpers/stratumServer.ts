// A Stratum V1 pool for tests: real TCP on loopback, scripted replies, and its
// own share check written against node:crypto only (not the coordinator's
// header code), so a submit is judged the way an independent pool would.
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { createHash } from 'node:crypto';

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
}

export interface ReceivedSubmit {
  params: string[];
  accepted: boolean;
  error: string | null;
  /** Display-order hash the server computed for the submit. */
  hash: string;
  at: number;
}

interface PoolJob { params: unknown[] }

const sha256d = (b: Buffer) => createHash('sha256').update(createHash('sha256').update(b).digest()).digest();
const DIFF1 = 0xffffn << 208n;

export class TestStratumServer {
  readonly script: ServerScript;
  port = 0;
  submits: ReceivedSubmit[] = [];
  /** Every line received from clients, in order. */
  received: Array<{ method: string; params: unknown[] }> = [];
  private server: Server | null = null;
  private sockets = new Set<Socket>();
  private jobs = new Map<string, PoolJob>();
  private difficulty = 1;
  private seen = new Set<string>();

  constructor(script: ServerScript) {
    this.script = script;
  }

  get url(): string {
    return `${this.script.tls ? 'stratum+ssl' : 'stratum+tcp'}://127.0.0.1:${this.port}`;
  }

  get clients(): number {
    return this.sockets.size;
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
    return this;
  }

  /** Sends a line to every authorized client (and tracks jobs/difficulty it carries). */
  broadcast(line: string): void {
    this.track(line);
    for (const s of this.sockets) if ((s as Socket & { authorized?: boolean }).authorized) s.write(`${line}\n`);
  }

  notify(params: unknown[]): void {
    this.broadcast(JSON.stringify({ id: null, method: 'mining.notify', params }));
  }

  setDifficulty(d: number): void {
    this.broadcast(JSON.stringify({ id: null, method: 'mining.set_difficulty', params: [d] }));
  }

  /** Closes the listener and every client: the pool goes away. */
  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
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

  private track(line: string): void {
    const msg = JSON.parse(line);
    if (msg.method === 'mining.notify') {
      if (msg.params[8] === true) this.jobs.clear();
      this.jobs.set(String(msg.params[0]), { params: msg.params });
    } else if (msg.method === 'mining.set_difficulty') {
      this.difficulty = msg.params[0];
    }
  }

  private onClient(socket: Socket & { authorized?: boolean }): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim() === '') continue;
        this.onLine(socket, JSON.parse(line));
      }
    });
  }

  private reply(socket: Socket, id: unknown, result: unknown, error: unknown = null): void {
    socket.write(`${JSON.stringify({ id, error, result })}\n`);
  }

  private onLine(socket: Socket & { authorized?: boolean }, msg: { id: unknown; method: string; params: unknown[] }): void {
    this.received.push({ method: msg.method, params: msg.params });
    switch (msg.method) {
      case 'mining.configure':
        if (this.script.configureResult === undefined) this.reply(socket, msg.id, null, [20, 'Unknown method', null]);
        else this.reply(socket, msg.id, this.script.configureResult);
        return;
      case 'mining.subscribe':
        this.reply(socket, msg.id, this.script.subscribeResult);
        return;
      case 'mining.authorize': {
        const ok = this.script.authorize ?? true;
        this.reply(socket, msg.id, ok, ok ? null : [24, 'Unauthorized worker', null]);
        if (!ok) return;
        socket.authorized = true;
        for (const line of this.script.greeting) { this.track(line); socket.write(`${line}\n`); }
        return;
      }
      case 'mining.submit': {
        const v = this.check(msg.params as string[]);
        this.submits.push({ params: msg.params as string[], ...v, at: Date.now() });
        this.reply(socket, msg.id, v.accepted, v.error === null ? null : [v.code, v.error, null]);
        return;
      }
      default:
        this.reply(socket, msg.id, null, [20, 'Unknown method', null]);
    }
  }

  /** Rebuilds the header from the submit exactly as a pool does and checks the share. */
  private check(p: string[]): { accepted: boolean; error: string | null; code: number; hash: string } {
    const [, jobId, en2, ntime, nonce, vbits] = p;
    const job = this.jobs.get(jobId!);
    if (!job) return { accepted: false, error: 'Job not found', code: 21, hash: '' };
    const [, prevhash, coinb1, coinb2, branch, version, nbits] = job.params as [string, string, string, string, string[], string, string];
    const sub = this.script.subscribeResult as [unknown, string, number];
    if (en2!.length !== sub[2] * 2) return { accepted: false, error: 'Incorrect size of extranonce2', code: 20, hash: '' };
    let root = sha256d(Buffer.from(coinb1 + sub[1] + en2 + coinb2, 'hex'));
    for (const b of branch) root = sha256d(Buffer.concat([root, Buffer.from(b, 'hex')]));
    const prev = Buffer.from(prevhash, 'hex');
    for (let i = 0; i < 32; i += 4) prev.subarray(i, i + 4).reverse();
    const mask = (this.script.configureResult as { 'version-rolling.mask'?: string } | undefined)?.['version-rolling.mask'];
    let ver = parseInt(version, 16);
    if (vbits !== undefined) {
      const bits = parseInt(vbits, 16);
      if (mask === undefined || (bits & ~parseInt(mask, 16)) !== 0) return { accepted: false, error: 'Invalid version bits', code: 20, hash: '' };
      ver = ((ver & ~parseInt(mask, 16)) | bits) >>> 0;
    }
    const header = Buffer.alloc(80);
    header.writeUInt32LE(ver >>> 0, 0);
    prev.copy(header, 4);
    root.copy(header, 36);
    header.writeUInt32LE(parseInt(ntime!, 16), 68);
    header.writeUInt32LE(parseInt(nbits, 16), 72);
    header.writeUInt32LE(parseInt(nonce!, 16), 76);
    const hash = Buffer.from(sha256d(header)).reverse().toString('hex');
    const key = `${jobId}/${en2}/${ntime}/${nonce}/${vbits ?? ''}`;
    if (this.seen.has(key)) return { accepted: false, error: 'Duplicate share', code: 22, hash };
    this.seen.add(key);
    // 2^64 fixed point keeps difficulties down to ~1e-12 exact enough.
    const target = (DIFF1 << 64n) / BigInt(Math.max(1, Math.round(this.difficulty * 2 ** 64)));
    if (BigInt(`0x${hash}`) > target) return { accepted: false, error: 'Low difficulty share', code: 23, hash };
    return { accepted: true, error: null, code: 0, hash };
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
