// What command handlers may touch: the running agent, its budget, pool and config,
// behind one narrow interface (runtime.ts builds it; tests fake it).
import type { HashlingConfig } from '../../config/load.ts';
import type { Algo } from '../../kernels/types.ts';
import type { Args } from './args.ts';
import type { ConfigPatch } from './configEdit.ts';

export interface CommandHost {
  deviceId: string;
  /** The running config; keys applied live are updated in place. */
  config: HashlingConfig;
  /** The JSON file config/set persists to (config.writable), if the agent was started with one. */
  configFile: string | undefined;
  now(): number;
  setPaused(paused: boolean): void;
  mode(): string;
  publishState(): void;
  setBudget(patch: unknown): { ok: true; changed: string[] } | { ok: false; problems: string[] };
  threads(): number;
  maxThreads(): number;
  /** Changes the pool's thread count and tells the budget. */
  setThreads(n: number): Promise<void>;
  kernels: Partial<Record<Algo, string>>;
  version: string;
  /** Stops the agent cleanly and exits with EXIT_RESTART for the service manager. */
  requestRestart(): void;
  /** An event on `<base>/<id>/events`; `info` events carry an I_ code. */
  event(type: 'info' | 'warning' | 'error', code: string, message: string): void;
}

/** What a handler gets: the host, its arguments, and state the command server keeps. */
export interface VerbContext {
  host: CommandHost;
  args: Args;
  /** Keys changed by config/set that take effect after a restart. */
  pending: ConfigPatch;
  /** Re-reads commands.* after a live change. */
  onCommandsConfig(): void;
}

export interface Reply {
  data: Record<string, unknown>;
  /** Runs after the response was handed to the broker (restart). */
  after?: () => void;
}

export type VerbHandler = (ctx: VerbContext) => Reply | Promise<Reply>;

/** Exit code of the `restart` command: EX_TEMPFAIL (sysexits.h), so `Restart=on-failure` restarts it. */
export const EXIT_RESTART = 75;
