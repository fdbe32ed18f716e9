// A Stratum V1 miner for tests, the way cpuminer behaves on the wire: subscribe,
// authorize, optional mining.configure / mining.suggest_difficulty, build the
// header of each job from coinb1 ‖ extranonce1 ‖ extranonce2 ‖ coinb2 with
// node:crypto (not the coordinator's code), scan nonces and submit the shares
// that meet the difficulty it was given.
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { createHash, scryptSync } from 'node:crypto';

const sha256d = (b: Buffer) => createHash('sha256').update(createHash('sha256').update(b).digest()).digest();
const DIFF1 = 0xffffn << 208n;

export interface MinerOptions {
  port: number;
  user: string;
  password?: string;
  userAgent?: string;
  /** Ask for version rolling with this mask (BIP310). */
  versionRolling?: number;
  suggestDifficulty?: number;
  algo?: 'sha256d' | 'scrypt';
  /** Connect with TLS (stratum+ssl), trusting this CA. */
  tlsCa?: string;
}

interface Job { id: string; params: unknown[] }

export class TestMiner {
  readonly opts: MinerOptions;
  socket!: Socket;
  received: any[] = [];
  extranonce1 = '';
  extranonce2Size = 0;
  difficulty = 1;
  versionMask: number | null = null;
  job: Job | null = null;
  closed = false;
  private nextId = 1;
  private pending = new Map<number, (msg: any) => void>();
  private en2 = 0;

  constructor(opts: MinerOptions) {
    this.opts = opts;
  }

  async connect(): Promise<{ subscribe: any; authorize: any; configure?: any }> {
    this.socket = this.opts.tlsCa !== undefined
      ? tlsConnect({ host: '127.0.0.1', port: this.opts.port, ca: this.opts.tlsCa })
      : connect({ host: '127.0.0.1', port: this.opts.port });
    await new Promise<void>((resolve, reject) => { this.socket.once(this.opts.tlsCa !== undefined ? 'secureConnect' : 'connect', resolve); this.socket.once('error', reject); });
    this.socket.on('close', () => { this.closed = true; });
    this.socket.on('error', () => undefined);
    let buf = '';
    this.socket.on('data', (d) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim()) this.onMessage(JSON.parse(line));
      }
    });
    const configure = this.opts.versionRolling !== undefined
      ? this.call('mining.configure', [['version-rolling'], { 'version-rolling.mask': this.opts.versionRolling.toString(16).padStart(8, '0'), 'version-rolling.min-bit-count': 2 }])
      : undefined;
    const subscribe = await this.call('mining.subscribe', [this.opts.userAgent ?? 'testminer/1.0']);
    if (subscribe.error) throw new Error(`subscribe: ${JSON.stringify(subscribe.error)}`);
    [, this.extranonce1, this.extranonce2Size] = subscribe.result;
    if (this.opts.suggestDifficulty !== undefined) void this.call('mining.suggest_difficulty', [this.opts.suggestDifficulty]);
    const authorize = await this.call('mining.authorize', [this.opts.user, this.opts.password ?? 'x']);
    const conf = configure ? await configure : undefined;
    if (conf?.result?.['version-rolling']) this.versionMask = parseInt(conf.result['version-rolling.mask'], 16);
    return { subscribe, authorize, configure: conf };
  }

  call(method: string, params: unknown[]): Promise<any> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.socket.write(`${JSON.stringify({ id, method, params })}\n`);
    });
  }

  /** Raw text, for malformed-input tests. */
  write(text: string): void {
    this.socket.write(text);
  }

  async waitFor(pred: () => boolean, ms: number, what: string): Promise<void> {
    const end = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > end) throw new Error(`miner timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private onMessage(msg: any): void {
    this.received.push(msg);
    if (msg.method === undefined && typeof msg.id === 'number') {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      p?.(msg);
      return;
    }
    if (msg.method === 'mining.set_difficulty') this.difficulty = msg.params[0];
    if (msg.method === 'mining.notify') { this.job = { id: msg.params[0], params: msg.params }; if (msg.params[8]) this.en2 = 0; }
  }

  /** The header of the current job for extranonce2 counter `en2` (nonce 0). */
  header(en2: string, versionBits = 0): Buffer {
    const [, prevhash, coinb1, coinb2, branch, version, nbits, ntime] = this.job!.params as [string, string, string, string, string[], string, string, string];
    let root = sha256d(Buffer.from(coinb1 + this.extranonce1 + en2 + coinb2, 'hex'));
    for (const b of branch) root = sha256d(Buffer.concat([root, Buffer.from(b, 'hex')]));
    const prev = Buffer.from(prevhash, 'hex');
    for (let i = 0; i < 32; i += 4) prev.subarray(i, i + 4).reverse();
    const h = Buffer.alloc(80);
    let v = parseInt(version, 16) >>> 0;
    if (this.versionMask !== null && versionBits !== 0) v = ((v & ~this.versionMask) | (versionBits & this.versionMask)) >>> 0;
    h.writeUInt32LE(v, 0);
    prev.copy(h, 4);
    root.copy(h, 36);
    h.writeUInt32LE(parseInt(ntime, 16), 68);
    h.writeUInt32LE(parseInt(nbits, 16), 72);
    return h;
  }

  hash(header: Buffer, nonce: number): string {
    header.writeUInt32LE(nonce >>> 0, 76);
    const pow = this.opts.algo === 'scrypt' ? scryptSync(header, header, 32, { N: 1024, r: 1, p: 1 }) : sha256d(header);
    return Buffer.from(pow).reverse().toString('hex');
  }

  target(): bigint {
    const one = this.opts.algo === 'scrypt' ? DIFF1 << 16n : DIFF1;
    return (one << 64n) / BigInt(Math.max(1, Math.round(this.difficulty * 2 ** 64)));
  }

  /**
   * Scans nonces of fresh extranonce2 values until `count` shares are found and
   * submits them; returns the replies. `versionBits` rolls the version (when granted).
   */
  async mine(count: number, maxHashes = 5_000_000, versionBits = 0): Promise<any[]> {
    const replies: any[] = [];
    let hashes = 0;
    while (replies.length < count && hashes < maxHashes && !this.closed) {
      const en2 = (this.en2++).toString(16).padStart(this.extranonce2Size * 2, '0').slice(-this.extranonce2Size * 2);
      const job = this.job!;
      const h = this.header(en2, versionBits);
      const t = this.target();
      for (let n = 0; n < 200_000 && replies.length < count; n++, hashes++) {
        if (BigInt(`0x${this.hash(h, n)}`) > t) continue;
        const params = [this.opts.user, job.id, en2, (job.params[7] as string).padStart(8, '0'), (n >>> 0).toString(16).padStart(8, '0')];
        if (versionBits !== 0) params.push(versionBits.toString(16).padStart(8, '0'));
        replies.push({ params, reply: await this.call('mining.submit', params) });
        if (this.job !== job) break;
      }
    }
    return replies;
  }

  close(): void {
    this.socket.destroy();
  }
}
