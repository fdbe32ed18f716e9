// The pool of hashing threads. One unit runs at a time across all threads; the
// threads claim batches from a shared cursor, so throttled or crashed threads never
// hold a slice hostage. Exact accounting by messages: a thread posts its shares
// before the progress message of the batch that found them, so when the progress
// reported for a unit equals its size every share has arrived too. A crashed
// thread's claimed batch is re-run by its replacement; shares found twice that way
// are reported once. A cancelled unit settles when every thread has let it go, so
// its count includes the batches that were in flight.
import { EventEmitter } from 'node:events';
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { KernelJob } from '../../kernels/types.ts';
import { besideCaller, startWorker } from '../../kernels/workerEntry.ts';
import { systemClock, type Clock, type TimerHandle } from '../../lifecycle/clock.ts';
import type { Component } from '../../lifecycle/component.ts';
import {
  CTRL_GEN, CTRL_PERIOD, CTRL_WAKE, CUR_DONE, ctrlDuty, ctrlWords, curClaimLen, curClaimOff, cursorWords,
  type UnitMessage, type WorkerReply,
} from './shared.ts';

/** The hashing thread's entry: hashWorker.ts from the sources, hashWorker.js compiled (kernels/workerEntry.ts). */
export const HASH_WORKER_ENTRY = besideCaller(import.meta.url, './hashWorker').href;

export interface PoolOptions {
  threads: number;
  batchMs: number;
  /** A worker that reports no progress for this long while it should be hashing is replaced. */
  hangMs?: number;
  /**
   * Most threads this pool may run (sizes the shared control and cursor buffers,
   * which cannot grow under running threads). Default: the cores of this device;
   * more threads than cores only share them.
   */
  maxThreads?: number;
  clock?: Clock;
  /** The worker entry module (a file URL); tests point it at a module that fails to load. */
  entry?: string;
  /**
   * When set, the threads start with the first run() instead of in start(), and
   * stop again after this long without a unit: an idle agent holds no hashing
   * thread (each costs ~10 MB resident, docs/footprint.md). Unset: the threads
   * live from start() to stop().
   */
  idleStopMs?: number;
}

/**
 * How the agent runs its pool on a device: hashing threads exist only while there
 * is work (an idle agent is its main thread alone) and stop after a minute without
 * a unit, so a steady stream of units never waits for threads to start. That the
 * threads can boot at all is checked at start by the kernel check (agent/kernelCheck.ts).
 */
export const LEAN_POOL: Pick<PoolOptions, 'idleStopMs'> = { idleStopMs: 60_000 };

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
/** A retiring thread that does not answer within this long (hung in a batch) is terminated. */
const RETIRE_TIMEOUT_MS = 5000;

/**
 * Events: 'hashes' (n, workerIndex) per finished batch, 'crash' (workerIndex, message)
 * when a thread died and was replaced.
 */
export class WorkerPool extends EventEmitter implements Component {
  readonly name = 'pool';
  private readonly opts: PoolOptions;
  private ctrl: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private slots: Slot[] = [];
  /** Threads asked to retire by setThreads(), until they answer; a cancel waits for them too. */
  private retiring: Slot[] = [];
  /** setThreads() calls run one after another. */
  private resizing: Promise<void> = Promise.resolve();
  private running: Running | null = null;
  private level = 0;
  private periodMs = 100;
  private hangTimer: TimerHandle | null = null;
  private stopped = true;
  /** Threads wanted (what `threads` reports); while asleep no thread runs. */
  private target = 0;
  private asleep = false;
  private idleTimer: TimerHandle | null = null;
  private readonly crashOnStart = new Set<number>();

  constructor(opts: PoolOptions) {
    super();
    this.opts = opts;
  }

  get threads(): number {
    return this.asleep ? this.target : this.slots.length;
  }

  /** Threads running right now (0 while an idle pool sleeps). */
  get liveThreads(): number {
    return this.slots.filter((s) => s).length;
  }

  private get clock(): Clock {
    return this.opts.clock ?? systemClock;
  }

  /** Upper bound of the thread count (start and setThreads). */
  get maxThreads(): number {
    return this.opts.maxThreads ?? availableParallelism();
  }

  /**
   * Starts the threads; resolves when every one has loaded its kernels. When one
   * fails to boot, the others are terminated before it rejects: a failed start
   * leaves no thread behind. With idleStopMs nothing starts here: the first run()
   * starts the threads.
   */
  async start(): Promise<void> {
    const n = this.opts.threads;
    if (!Number.isInteger(n) || n < 1 || n > this.maxThreads) throw new RangeError(`threads must be an integer within [1, ${this.maxThreads}] (got ${n})`);
    this.stopped = false;
    this.target = n;
    this.ctrl = new Int32Array(new SharedArrayBuffer(4 * ctrlWords(this.maxThreads)));
    Atomics.store(this.ctrl, CTRL_PERIOD, this.periodMs);
    this.slots = [];
    this.asleep = this.opts.idleStopMs !== undefined;
    const boots = this.asleep ? [] : await Promise.allSettled(Array.from({ length: n }, (_, k) => this.spawn(k)));
    const failed = boots.find((b): b is PromiseRejectedResult => b.status === 'rejected');
    if (failed) {
      this.stopped = true;
      const slots = this.slots.filter(Boolean);
      this.slots = [];
      await Promise.all(slots.map((s) => s.worker.terminate().catch(() => 0)));
      throw failed.reason;
    }
    this.setLevel(n, this.periodMs);
    const hangMs = this.opts.hangMs ?? 30_000;
    this.hangTimer = this.clock.setInterval(() => this.checkHangs(hangMs), Math.min(hangMs, 5000));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.hangTimer !== null) this.clock.clearInterval(this.hangTimer);
    this.hangTimer = null;
    this.disarmIdle();
    const r = this.running;
    this.cancel();
    const slots = [...this.slots, ...this.retiring];
    this.slots = [];
    this.retiring = [];
    await Promise.all(slots.map((s) => s?.worker.terminate()));
    if (r) this.settle(r, true);
  }

  /**
   * Throttle level in [0, threads]: floor(level) threads at full speed, one more
   * with duty level − floor(level) over `periodMs`, the rest parked.
   */
  setLevel(level: number, periodMs: number): void {
    const n = this.threads || this.opts.threads;
    this.level = Math.max(0, Math.min(n, level));
    this.periodMs = Math.max(10, Math.min(250, Math.round(periodMs)));
    Atomics.store(this.ctrl, CTRL_PERIOD, this.periodMs);
    const whole = Math.floor(this.level);
    for (let k = 0; k < n; k++) {
      const duty = k < whole ? 1000 : k === whole ? Math.round((this.level - whole) * 1000) : 0;
      Atomics.store(this.ctrl, ctrlDuty(k), duty);
    }
    this.wake();
    for (const s of this.slots) s.lastProgress = this.clock.now();
  }

  getLevel(): number {
    return this.level;
  }

  /** Hashes the unit on all threads; resolves when every nonce was hashed or on cancel(). */
  run(req: RunRequest, onShare: (nonce: number) => void): Promise<RunOutcome> {
    if (this.running) throw new Error('a unit is already running');
    this.disarmIdle();
    const cursorBuf = new SharedArrayBuffer(8 * cursorWords(this.maxThreads));
    const gen = Atomics.add(this.ctrl, CTRL_GEN, 1) + 1;
    return new Promise((resolve, reject) => {
      const r: Running = { req, gen, cursor: new BigInt64Array(cursorBuf), cursorBuf, found: new Set(), reported: 0, cancelling: false, onShare, resolve };
      this.running = r;
      const go = () => {
        for (const s of this.slots) s.lastProgress = this.clock.now();
        for (const s of this.slots) this.sendUnit(s.worker, []);
      };
      if (!this.asleep) {
        go();
        return;
      }
      this.awaken().then(
        () => {
          if (this.running === r && !r.cancelling) go();
          else if (!this.running) this.armIdle(); // cancelled while the threads started
        },
        (err: Error) => {
          if (this.running !== r) return;
          this.running = null;
          this.armIdle();
          reject(err);
        },
      );
    });
  }

  /** Starts the wanted threads of a sleeping pool (serialised with setThreads). */
  private awaken(): Promise<void> {
    const next = this.resizing.then(async () => {
      if (!this.asleep || this.stopped) return;
      const n = this.target;
      try {
        await Promise.all(Array.from({ length: n }, (_, k) => this.spawn(k)));
      } catch (err) {
        await this.release();
        throw err;
      }
      this.asleep = false;
      if (this.stopped) await this.release();
    });
    this.resizing = next.catch(() => undefined);
    return next;
  }

  /** Terminates every thread of an idle pool; the next run() starts them again. */
  private sleep(): void {
    this.resizing = this.resizing.then(async () => {
      if (this.running || this.asleep || this.stopped) return;
      this.target = this.slots.length;
      await this.release();
    });
  }

  private async release(): Promise<void> {
    const slots = [...this.slots, ...this.retiring].filter((s) => s);
    this.slots = [];
    this.retiring = [];
    this.asleep = true;
    for (const s of slots) s.worker.removeAllListeners();
    await Promise.all(slots.map((s) => s.worker.terminate().catch(() => 0)));
  }

  /** After a unit ends: sleep when no other unit comes within idleStopMs. */
  private armIdle(): void {
    const ms = this.opts.idleStopMs;
    if (ms === undefined || this.stopped || this.asleep) return;
    this.disarmIdle();
    this.idleTimer = this.clock.setTimeout(() => {
      this.idleTimer = null;
      if (!this.running) this.sleep();
    }, ms);
  }

  private disarmIdle(): void {
    if (this.idleTimer !== null) this.clock.clearTimeout(this.idleTimer);
    this.idleTimer = null;
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
    this.clock.setTimeout(() => this.settle(r, true), CANCEL_SETTLE_MS);
    this.settle(r, false);
  }

  /** Resolves a cancelling unit when no thread holds it (or when forced). */
  private settle(r: Running, force: boolean): void {
    if (this.running !== r) return;
    if (!force && (this.slots.some((s) => s?.busy) || this.retiring.some((s) => s.busy))) return;
    this.running = null;
    for (const s of this.slots) if (s) s.busy = false;
    this.armIdle();
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
      slot.lastProgress = this.clock.now();
    }
    worker.postMessage(msg);
  }

  private spawn(k: number): Promise<void> {
    return new Promise((resolve, reject) => {
      // A hashing thread allocates a few small messages per batch: a 1 MB young
      // generation (V8's default grows to 16+ MB) and a 1 MB stack are plenty, and
      // measured ~0.5 MB less RSS per thread (bench:footprint, docs/footprint.md).
      const worker = startWorker(new URL(this.opts.entry ?? HASH_WORKER_ENTRY), {
        workerData: { index: k, batchMs: this.opts.batchMs, ctrl: this.ctrl.buffer },
        resourceLimits: { maxYoungGenerationSizeMb: 1, stackSizeMb: 1 },
      });
      const slot: Slot = { worker, lastProgress: this.clock.now(), ready: false, busy: false };
      this.slots[k] = slot;
      worker.on('message', (m: WorkerReply) => {
        if (m.type === 'ready') {
          slot.ready = true;
          if (this.crashOnStart.delete(k)) worker.postMessage({ type: 'crash' });
          resolve();
          return;
        }
        this.onReply(k, slot, m);
      });
      let bootError = '';
      worker.on('error', (err) => {
        if (!slot.ready) bootError = err.message;
        else this.onDeath(k, slot, err.message);
      });
      worker.on('exit', (code) => {
        // A thread that never booted is not replaced: the same code would fail again.
        if (!slot.ready) reject(new Error(`hashing thread ${k} failed to start (exit ${code})${bootError ? `: ${bootError}` : ''}`));
        else this.onDeath(k, slot, `exited with code ${code}`);
      });
    });
  }

  private onReply(k: number, slot: Slot, m: WorkerReply): void {
    const r = this.running;
    slot.lastProgress = this.clock.now();
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
    } else if (m.type === 'retired') {
      slot.busy = false;
      this.emit('retired', slot);
      if (r && m.gen === r.gen && !r.cancelling && m.retries.length > 0) this.requeue(m.retries);
      if (r?.cancelling) this.settle(r, false);
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
    this.armIdle();
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
    const now = this.clock.now();
    this.slots.forEach((s, k) => {
      if (!s || !s.ready || !s.busy) return;
      const duty = Atomics.load(this.ctrl, ctrlDuty(k));
      if (duty > 0 && now - s.lastProgress > hangMs) this.onDeath(k, s, `no progress for ${now - s.lastProgress} ms`);
    });
  }

  /**
   * Changes the number of hashing threads while a unit may be running, keeping the
   * exact hash count: new threads join the running unit through its shared cursor;
   * removed threads are parked, then asked to retire between two batches (when they
   * hold no claim) and hand back any ranges they still owed, which another thread
   * scans. The new threads start parked until the next setLevel() (the budget's
   * ramp decides how fast they get work). Resolves when every change took effect.
   */
  setThreads(n: number): Promise<void> {
    const next = this.resizing.then(() => this.resize(n));
    this.resizing = next.catch(() => undefined);
    return next;
  }

  private async resize(n: number): Promise<void> {
    if (!Number.isInteger(n) || n < 1 || n > this.maxThreads) throw new RangeError(`threads must be an integer within [1, ${this.maxThreads}]`);
    if (this.stopped) throw new Error('the pool is stopped');
    if (this.asleep) {
      // Nothing runs: the next run() starts n threads.
      this.target = n;
      this.setLevel(Math.min(this.level, n), this.periodMs);
      return;
    }
    const current = this.slots.length;
    if (n > current) {
      for (let k = current; k < n; k++) Atomics.store(this.ctrl, ctrlDuty(k), 0);
      await Promise.all(Array.from({ length: n - current }, (_, i) => this.spawn(current + i)));
      const r = this.running;
      if (r && !r.cancelling) for (let k = current; k < n; k++) this.sendUnit(this.slots[k].worker, []);
    } else if (n < current) {
      const leaving = this.slots.splice(n);
      for (let k = n; k < current; k++) Atomics.store(this.ctrl, ctrlDuty(k), 0);
      this.wake();
      this.retiring.push(...leaving);
      await Promise.all(leaving.map((slot, i) => this.retire(n + i, slot)));
    }
    this.setLevel(Math.min(this.level, n), this.periodMs);
  }

  /** Asks a removed thread to stop between batches, then terminates it. */
  private retire(k: number, slot: Slot): Promise<void> {
    return new Promise((resolve) => {
      const done = (hung: boolean) => {
        this.clock.clearTimeout(timer);
        this.off('retired', onRetired);
        slot.worker.removeAllListeners();
        this.retiring = this.retiring.filter((s) => s !== slot);
        const r = this.running;
        if (hung && r) {
          // Stuck inside a batch: its open claim is re-run like a crashed thread's.
          const off = Number(Atomics.load(r.cursor, curClaimOff(k)));
          if (off > 0) {
            Atomics.store(r.cursor, curClaimOff(k), 0n);
            if (!r.cancelling) this.requeue([[off - 1, Number(Atomics.load(r.cursor, curClaimLen(k)))]]);
          }
          slot.busy = false;
          if (r.cancelling) this.settle(r, false);
        }
        void slot.worker.terminate().then(() => resolve(), () => resolve());
      };
      const onRetired = (s: Slot) => { if (s === slot) done(false); };
      const timer = this.clock.setTimeout(() => done(true), RETIRE_TIMEOUT_MS);
      this.on('retired', onRetired);
      slot.worker.postMessage({ type: 'retire' });
    });
  }

  /** Hands ranges of the running unit to a live thread (merged into its current scan). */
  private requeue(ranges: [number, number][]): void {
    const slot = this.slots.find((s) => s?.ready);
    if (slot && this.running) this.sendUnit(slot.worker, ranges);
  }

  /** Test hook: makes thread k crash on its next unit (started first if the pool sleeps). */
  crashForTest(k: number): void {
    const slot = this.slots[k];
    if (slot) slot.worker.postMessage({ type: 'crash' });
    else this.crashOnStart.add(k);
  }
}
