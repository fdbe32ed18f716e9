// The start-up kernel check: the golden-vector self-test, the planner's choice of
// kernel per algorithm (kernels/choose.ts: timed at the first start, then cached in
// health.state_dir) and one hashing thread booted on the pool's entry. It runs in a
// short-lived child process (agent/kernelCheckChild.ts): it compiles and runs every
// kernel (WebAssembly modules, the unrolled JS), and only a process that exits gives
// all of that memory back (a thread leaves ~7 MB behind: allocator arenas and touched
// code pages; docs/footprint.md), so an idle agent never holds a kernel's code.
import type { KernelChoice } from '../kernels/choose.ts';
import { startWorker } from '../kernels/workerEntry.ts';
import { ctrlWords } from './pool/shared.ts';

export interface KernelCheckRequest {
  /** health.state_dir: where the planner caches its plan ('' = plan every start). */
  stateDir: string;
  /** The hashing thread's entry module (a file URL). */
  workerEntry: string;
}

export interface KernelCheck {
  choice: KernelChoice;
  /** Lines the check logged (self-test failures, the planner's notes), for the agent's log. */
  log: string[];
  /** Why a hashing thread could not boot on the pool's entry (null: it booted). */
  bootError: string | null;
}

/**
 * Boots one hashing thread on `entry` and lets it go: a broken install (a missing
 * kernel module) fails the agent's start, not its first unit, although the pool
 * itself starts threads only when work arrives. Null when it booted.
 */
export function bootHashingThread(entry: string): Promise<string | null> {
  return new Promise((resolve) => {
    const w = startWorker(new URL(entry), { workerData: { index: 0, batchMs: 100, ctrl: new SharedArrayBuffer(4 * ctrlWords(1)) } });
    let error = '';
    const done = (result: string | null) => {
      w.removeAllListeners();
      void w.terminate().finally(() => resolve(result));
    };
    w.on('message', (m: { type?: string }) => { if (m?.type === 'ready') done(null); });
    w.on('error', (err) => { error = err.message; });
    w.on('exit', (code) => done(`exit ${code}${error ? `: ${error}` : ''}`));
  });
}
