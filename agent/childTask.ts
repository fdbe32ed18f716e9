// One question to a short-lived child process, one answer, then the child exits:
// for start-up work whose memory must not stay in the agent (compiling every
// kernel, loading systeminformation). A thread that exits leaves its allocator
// arenas and the code pages it touched behind; a process gives everything back.
// Where no child process can start (a sandbox without fork, user-mode emulation
// without binfmt) the same entry runs in a thread instead.
//
// The entry module answers through serveChildTask(); it is built as an entry of
// its own (scripts/build.ts) and must sit beside its caller (kernels/workerEntry.ts).
import type { ChildProcess } from 'node:child_process';
import { parentPort } from 'node:worker_threads';
import { forkEntry, startWorker } from '../kernels/workerEntry.ts';

export interface AskOptions {
  /** Hears about a fallback to a thread. */
  log?: (line: string) => void;
  /**
   * Whether waiting for the answer keeps this process alive (default true). A
   * background task (host details) must not delay the agent's exit after SIGTERM.
   */
  keepAlive?: boolean;
}

export interface ChildTask<Req, Res> {
  /** Sends the request and resolves with the answer. */
  ask(req: Req, opts?: AskOptions): Promise<Res>;
}

function inThread<Req, Res>(entry: URL, req: Req, keepAlive: boolean): Promise<Res> {
  return new Promise((resolve, reject) => {
    const w = startWorker(entry, {});
    if (!keepAlive) w.unref();
    let answer: { value: Res } | null = null;
    w.once('message', (m: Res) => { answer = { value: m }; });
    w.once('error', reject);
    w.once('exit', (code) => (answer ? resolve(answer.value) : reject(new Error(`${entry.pathname} thread exited with code ${code}`))));
    w.postMessage(req);
  });
}

/**
 * Forks `entry` now, so its own start-up work runs while the caller goes on; the
 * child does not keep this process alive until ask() is called.
 */
export function startChildTask<Req, Res>(entry: URL): ChildTask<Req, Res> {
  let child: ChildProcess | null = null;
  let failure: string | null = null;
  let answer: { value: Res } | null = null;
  let settle: () => void = () => {};
  const ended = new Promise<void>((resolve) => { settle = resolve; });
  try {
    child = forkEntry(entry);
    child.unref();
    child.channel?.unref();
    child.once('message', (m: Res) => { answer = { value: m }; });
    child.once('error', (err) => { failure ??= err.message; settle(); });
    child.once('exit', (code, signal) => { failure ??= `exited with ${signal ?? `code ${code}`}`; settle(); });
  } catch (err) {
    failure = (err as Error).message;
    settle();
  }
  return {
    async ask(req, { log, keepAlive = true } = {}) {
      if (child?.connected) {
        if (keepAlive) {
          child.ref();
          child.channel?.ref();
        }
        child.send(req as object, (err) => { if (err) failure ??= err.message; });
      }
      await ended;
      if (answer) return (answer as { value: Res }).value;
      log?.(`${entry.pathname.split('/').pop()} process failed (${failure}); running it in a thread`);
      return inThread<Req, Res>(entry, req, keepAlive);
    },
  };
}

/**
 * The entry's side: `prepare` runs at once (before any request), `answer` per the
 * request; then the process or thread ends. A child whose parent went away exits.
 */
export function serveChildTask<Req, Res, P>(prepare: () => P, answer: (req: Req, prepared: P) => Res | Promise<Res>): void {
  if (!parentPort) process.once('disconnect', () => process.exit(0));
  const prepared = prepare();
  if (parentPort) {
    const port = parentPort;
    port.once('message', async (req: Req) => {
      port.postMessage(await answer(req, prepared));
      port.close();
    });
  } else {
    process.once('message', async (req: Req) => {
      process.send!(await answer(req, prepared), () => process.disconnect());
    });
  }
}
