// Where a worker thread starts. The compiled product (dist/, run by plain node)
// starts the compiled entry module itself, so a hashing thread loads only its
// loop and the kernels. From the TypeScript sources (unit tests, development under
// tsx) a worker does not inherit tsx's loader from its parent, so it starts in
// kernels/workerBoot.js, which registers the loader and imports the real entry.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

const BOOT = new URL('./workerBoot.js', import.meta.url);

/**
 * The module `name` (no extension) in the folder of `callerUrl`, with the caller's
 * own extension: './hashWorker' next to workerPool.ts is hashWorker.ts, next to the
 * compiled workerPool.js it is hashWorker.js.
 */
export function besideCaller(callerUrl: string, name: string): URL {
  return new URL(`${name}${callerUrl.endsWith('.ts') ? '.ts' : '.js'}`, callerUrl);
}

/** Starts a worker thread on `entry` (a .js module directly, a .ts one through tsx). */
export function startWorker(entry: URL, opts: WorkerOptions): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, opts);
  const data = (opts.workerData ?? {}) as Record<string, unknown>;
  return new Worker(BOOT, { ...opts, workerData: { ...data, entry: entry.href } });
}

/**
 * Runs `entry` in a child node process with an IPC channel (a .ts entry under
 * tsx's loader). For work whose memory must leave with it: a thread that exits
 * leaves its allocator arenas and the code pages it touched in the process.
 */
export function forkEntry(entry: URL): ChildProcess {
  const execArgv = [...process.execArgv];
  if (entry.pathname.endsWith('.ts') && !execArgv.some((a) => a.includes('tsx'))) execArgv.push('--import', 'tsx');
  return fork(fileURLToPath(entry), [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' });
}
