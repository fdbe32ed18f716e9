// The pool of hashing threads. One unit runs at a time across all threads; the
// threads claim batches from a shared cursor, so throttled or crashed threads never
// hold a slice hostage. Exact accounting by messages: a thread posts its shares
// before the progress message of the batch that found them, so when the progress
// reported for a unit equals its size every share has arrived too. A crashed
// thread's claimed batch is re-run by its replacement; shares found twice that way
// are reported once. A cancelled unit settles when every thread has let it go, so
// its count includes the batches that were in flight.
import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { KernelJob } from '../../kernels/types.ts';
import {
  CTRL_GEN, CTRL_PERIOD, CTRL_WAKE, CUR_DONE, ctrlDuty, ctrlWords, curClaimLen, curClaimOff, cursorWords,
  type UnitMessage, type WorkerReply,
} from './shared.ts';

const BOOT = new URL('../../kernels/workerBoot.js', import.meta.url);
const ENTRY = new URL('./hashWorker.ts', import.meta.url).href;

export interface PoolOptions {
  threads: number;
  batchMs: number;
  /** A worker that reports no progress for this long while it should be hashing is replaced. */
  hangMs?: number;
}

export interface RunRequest {
  kernel: string;
  job: KernelJob;
  start: number;
  total: number;
}

export interface RunOutcome {
  status: 'done' | 'cancelled';
  hashes: number;
}

interface Slot {
  worker: Worker;
  lastProgress: number;
  ready: boolean;
  /** Holds a unit it has not drained yet (only busy threads can hang). */
  busy: boolean;
}

interface Running {
  req: RunRequest;
  gen: number;
  cursor: BigInt64Array;
  cursorBuf: SharedArrayBuffer;
  found: Set<number>;
  /** Hashes reported by progress messages of this generation. */
  reported: number;
  cancelling: boolean;
  onShare: (nonce: number) => void;
  resolve: (o: RunOutcome) => void;
}

/** A cancelled unit settles anyway after this long if a thread does not let go (hung). */
const CANCEL_SETTLE_MS = 1000;

/**
 * Events: 'hashes' (n, workerIndex) per finished batch, 'crash' (workerIndex, message)
 * when a thread died and was replaced.
 */
export class WorkerPool extends EventEmitter {
  private readonly opts: PoolOptions;
  private ctrl: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private slots: Slot[] = [];
  private running: Running | null = null;
  private level = 0;
  private periodMs = 100;
  private hangTimer: NodeJS.Timeout | null = null;
  private stopped = true;

  constructor(opts: PoolOptions) {
    super();
    this.opts = opts;
  }

  get threads(): number {
    return this.slots.length;
  }

  /** Starts the threads; resolves when every one has loaded its kernels. */
  async start(): Promise<void> {
    this.stopped = false;
    const n = this.opts.threads;
    this.ctrl = new Int32Array(new SharedArrayBuffer(4 * ctrlWords(n)));
    Atomics.store(this.ctrl, CTRL_PERIOD, this.periodMs);
    this.slots = [];
    await Promise.all(Array.from({ length: n }, (_, k) => this.spawn(k)));
    this.setLevel(n, this.periodMs);
    const hangMs = this.opts.hangMs ?? 30_000;
    this.hangTimer = setInterval(() => this.checkHangs(hangMs), Math.min(hangMs, 5000));
    this.hangTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.hangTimer) clearInterval(this.hangTimer);
    const r = this.running;
    this.cancel();
    const slots = this.slots;
    this.slots = [];
    await Promise.all(slots.map((s) => s?.worker.terminate()));
    if (r) this.settle(r, true);
  }

  /**
   * Throttle level in [0, threads]: floor(level) threads at full speed, one more
   * with duty level − floor(level) over `periodMs`, the rest parked.
   */
  setLevel(level: number, periodMs: number): void {
    const n = this.slots.length || this.opts.threads;
    this.level = Math.max(0, Math.min(n, level));
    this.periodMs = Math.max(10, Math.min(250, Math.round(periodMs)));
    Atomics.store(this.ctrl, CTRL_PERIOD, this.periodMs);
    const whole = Math.floor(this.level);
    for (let k = 0; k < n; k++) {
      const duty = k < whole ? 1000 : k === whole ? Math.round((this.level - whole) * 1000) : 0;
      Atomics.store(this.ctrl, ctrlDuty(k), duty);
    }
    this.wake();
    for (const s of this.slots) s.lastProgress = Date.now();
  }

  getLevel(): number {
    return this.level;
  }

  /** Hashes the unit on all threads; resolves when every nonce was hashed or on cancel(). */
  run(req: RunRequest, onShare: (nonce: number) => void): Promise<RunOutcome> {
    if (this.running) throw new Error('a unit is already running');
    const cursorBuf = new SharedArrayBuffer(8 * cursorWords(this.slots.length));
    const gen = Atomics.add(this.ctrl, CTRL_GEN, 1) + 1;
    return new Promise((resolve) => {
      this.running = { req, gen, cursor: new BigInt64Array(cursorBuf), cursorBuf, found: new Set(), reported: 0, cancelling: false, onShare, resolve };
      for (const s of this.slots) s.lastProgress = Date.now();
      for (const s of this.slots) this.sendUnit(s.worker, []);
    });
  }

  /**
   * Stops the running unit within one batch; its run() resolves `cancelled` once
   * every thread has let go, with the exact count of hashes done.
   */
  cancel(): void {
    const r = this.running;
    if (!r || r.cancelling) return;
    r.cancelling = true;
    Atomics.add(this.ctrl, CTRL_GEN, 1);
    this.wake();
    setTimeout(() => this.settle(r, true), CANCEL_SETTLE_MS).unref();
    this.settle(r, false);
  }

  /** Resolves a cancelling unit when no thread holds it (or when forced). */
  private settle(r: Running, force: boolean): void {
    if (this.running !== r) return;
    if (!force && this.slots.some((s) => s?.busy)) return;
    this.running = null;
    for (const s of this.slots) if (s) s.busy = false;
    r.resolve({ status: 'cancelled', hashes: Math.max(r.reported, force ? Number(Atomics.load(r.cursor, CUR_DONE)) : 0) });
  }

  private wake(): void {
    if (this.ctrl.length === 0) return;
    Atomics.add(this.ctrl, CTRL_WAKE, 1);
    Atomics.notify(this.ctrl, CTRL_WAKE);
  }

  private sendUnit(worker: Worker, retries: [number, number][]): void {
    const r = this.running;
    if (!r) return;
    const msg: UnitMessage = { type: 'unit', gen: r.gen, kernel: r.req.kernel, job: r.req.job, start: r.req.start, total: r.req.total, cursor: r.cursorBuf, retries };
    const slot = this.slots.find((s) => s?.worker === worker);
    if (slot) {
      slot.busy = true;
      slot.lastProgress = Date.now();
    }
    worker.postMessage(msg);
  }

  private spawn(k: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(BOOT, { workerData: { entry: ENTRY, index: k, batchMs: this.opts.batchMs, ctrl: this.ctrl.buffer } });
      const slot: Slot = { worker, lastProgress: Date.now(), ready: false, busy: false };
      this.slots[k] = slot;
      worker.on('message', (m: WorkerReply) => {
        if (m.type === 'ready') {
          slot.ready = true;
          resolve();
          return;
        }
        this.onReply(k, slot, m);
      });
      worker.on('error', (err) => this.onDeath(k, slot, err.message));
      worker.on('exit', (code) => {
        if (!slot.ready) reject(new Error(`hashing thread ${k} failed to start (exit ${code})`));
        this.onDeath(k, slot, `exited with code ${code}`);
      });
    });
  }

  private onReply(k: number, slot: Slot, m: WorkerReply): void {
    const r = this.running;
    slot.lastProgress = Date.now();
    if (m.type === 'progress') {
      this.emit('hashes', m.hashes, k);
      if (r && m.gen === r.gen) {
        r.reported += m.hashes;
        this.maybeFinish(r);
      }
    } else if (m.type === 'share') {
      if (r && m.gen === r.gen && !r.found.has(m.nonce)) {
        r.found.add(m.nonce);
        r.onShare(m.nonce);
      }
    } else if (m.type === 'drained' || m.type === 'stopped') {
      if (r && m.gen === r.gen) {
        slot.busy = false;
        if (r.cancelling) this.settle(r, false);
      }
    } else if (m.type === 'failed') {
      slot.busy = false;
      this.emit('crash', k, m.message);
      if (r && m.gen === r.gen) {
        // The kernel cannot run this unit at all: stop it rather than spin.
        this.cancel();
      }
    }
  }

  private maybeFinish(r: Running): void {
    if (this.running !== r || r.cancelling || r.reported < r.req.total) return;
    this.running = null;
    for (const s of this.slots) if (s) s.busy = false;
    r.resolve({ status: 'done', hashes: r.req.total });
  }

  private onDeath(k: number, slot: Slot, message: string): void {
    if (this.stopped || this.slots[k] !== slot) return;
    this.slots[k] = undefined as unknown as Slot;
    slot.worker.removeAllListeners();
    void slot.worker.terminate();
    this.emit('crash', k, message);
    const r = this.running;
    if (r?.cancelling) {
      this.spawn(k).catch((err) => this.emit('crash', k, `replacement failed: ${(err as Error).message}`));
      this.settle(r, false);
      return;
    }
    const retries: [number, number][] = [];
    if (r) {
      const off = Number(Atomics.load(r.cursor, curClaimOff(k)));
      if (off > 0) {
        retries.push([off - 1, Number(Atomics.load(r.cursor, curClaimLen(k)))]);
        Atomics.store(r.cursor, curClaimOff(k), 0n);
      }
    }
    this.spawn(k)
      .then(() => {
        if (this.running === r && r) this.sendUnit(this.slots[k].worker, retries);
      })
      .catch((err) => this.emit('crash', k, `replacement failed: ${(err as Error).message}`));
  }

  private checkHangs(hangMs: number): void {
    if (!this.running) return;
    const now = Date.now();
    this.slots.forEach((s, k) => {
      if (!s || !s.ready || !s.busy) return;
      const duty = Atomics.load(this.ctrl, ctrlDuty(k));
      if (duty > 0 && now - s.lastProgress > hangMs) this.onDeath(k, s, `no progress for ${now - s.lastProgress} ms`);
    });
  }

  /** Test hook: makes thread k crash on its next message. */
  crashForTest(k: number): void {
    this.slots[k]?.worker.postMessage({ type: 'crash' });
  }
}
