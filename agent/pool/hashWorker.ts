// One hashing thread. It scans batches claimed from the unit's shared cursor,
// sized so one batch takes about batch_ms, and between batches checks the
// generation word (cancel) and its duty word (pause/throttle). It yields to the
// event loop between batches so new units and retries arrive as messages.
import { parentPort, workerData } from 'node:worker_threads';
import { findKernel } from '../../kernels/registry.ts';
import type { Scanner } from '../../kernels/types.ts';
import {
  CTRL_GEN, CTRL_PERIOD, CTRL_WAKE, CUR_DONE, CUR_NEXT, ctrlDuty, curClaimLen, curClaimOff,
  type UnitMessage, type WorkerReply,
} from './shared.ts';

interface Active {
  msg: UnitMessage;
  scanner: Scanner;
  cursor: BigInt64Array;
  retries: [number, number][];
}

const port = parentPort!;
const index: number = workerData.index;
const batchMs: number = workerData.batchMs;
const ctrl = new Int32Array(workerData.ctrl as SharedArrayBuffer);
const dutyIdx = ctrlDuty(index);

let active: Active | null = null;
/** Set by the pool's crash test hook: die right after the next claim, mid-batch. */
let crashAfterClaim = false;
let scheduled = false;
/** Nonces per batch, adapted to the measured speed so a batch lasts ~batchMs. */
let batch = 64;
/** Start of the current duty period and the time spent hashing in it. */
let periodStart = 0;
let busyInPeriod = 0;

function post(m: WorkerReply): void {
  port.postMessage(m);
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(loop);
}

async function sleep(ms: number): Promise<void> {
  // waitAsync keeps this thread's event loop free while parked (messages still arrive)
  // and returns early when the pool bumps CTRL_WAKE.
  const r = Atomics.waitAsync(ctrl, CTRL_WAKE, Atomics.load(ctrl, CTRL_WAKE), Math.max(1, ms));
  if (r.async) await r.value;
}

/** Claims the next range: retries first, then the shared cursor. Null when drained. */
function claim(a: Active): [number, number] | null {
  const r = a.retries.shift();
  if (r) return r;
  const off = Number(Atomics.add(a.cursor, CUR_NEXT, BigInt(batch)));
  if (off >= a.msg.total) return null;
  return [off, Math.min(batch, a.msg.total - off)];
}

async function loop(): Promise<void> {
  scheduled = false;
  const a = active;
  if (!a) return;
  if (Atomics.load(ctrl, CTRL_GEN) !== a.msg.gen) {
    active = null;
    post({ type: 'stopped', gen: a.msg.gen });
    return;
  }
  const duty = Atomics.load(ctrl, dutyIdx);
  const period = Atomics.load(ctrl, CTRL_PERIOD);
  if (duty <= 0) {
    await sleep(period);
    schedule();
    return;
  }
  const now = performance.now();
  if (now - periodStart >= period) {
    periodStart = now;
    busyInPeriod = 0;
  }
  if (duty < 1000 && busyInPeriod >= (duty / 1000) * period) {
    await sleep(periodStart + period - now);
    schedule();
    return;
  }
  const range = claim(a);
  if (!range) {
    post({ type: 'drained', gen: a.msg.gen });
    active = null;
    return;
  }
  const [off, len] = range;
  // The claim is visible to the pool so a crash mid-batch can be re-run elsewhere.
  Atomics.store(a.cursor, curClaimLen(index), BigInt(len));
  Atomics.store(a.cursor, curClaimOff(index), BigInt(off + 1));
  if (crashAfterClaim) throw new Error('crash requested by the pool test hook');
  const t0 = performance.now();
  const gen = a.msg.gen;
  a.scanner.scan(a.msg.start + off, len, (nonce) => post({ type: 'share', gen, nonce }));
  const ms = performance.now() - t0;
  Atomics.add(a.cursor, CUR_DONE, BigInt(len));
  Atomics.store(a.cursor, curClaimOff(index), 0n);
  busyInPeriod += ms;
  post({ type: 'progress', gen, hashes: len, ms });
  if (len === batch) {
    // Grow fast while batches are short; shrink when one overshoots the budget.
    const perMs = len / Math.max(ms, 0.05);
    batch = Math.max(16, Math.min(1 << 22, Math.round(Math.min(perMs * batchMs, batch * 4))));
  }
  schedule();
}

port.on('message', (msg: UnitMessage | { type: 'crash' } | { type: 'retire' }) => {
  if (msg.type === 'crash') {
    crashAfterClaim = true;
    return;
  }
  if (msg.type === 'retire') {
    // Messages are handled between batches only (scan is synchronous), so no claim
    // is open here; ranges still owed to the unit go back to the pool.
    const a = active;
    active = null;
    post({ type: 'retired', gen: a?.msg.gen ?? -1, retries: a?.retries ?? [] });
    return;
  }
  if (active && active.msg.gen === msg.gen) {
    // More ranges of the unit this thread already scans (a retired thread's retries).
    active.retries.push(...msg.retries);
    schedule();
    return;
  }
  try {
    const kernel = findKernel(msg.kernel);
    if (!kernel) throw new Error(`unknown kernel ${msg.kernel}`);
    active = { msg, scanner: kernel.prepare(msg.job), cursor: new BigInt64Array(msg.cursor), retries: [...msg.retries] };
    schedule();
  } catch (err) {
    post({ type: 'failed', gen: msg.gen, message: (err as Error).message });
  }
});

post({ type: 'ready' });
