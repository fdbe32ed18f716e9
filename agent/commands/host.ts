// What command handlers may touch: the running agent, its budget, pool and
// config, behind one narrow interface (runtime.ts builds it; tests fake it).
import type { HostFacts } from '../../config/rules.ts';
import type { HashlingConfig } from '../../config/schema.ts';
import type { Algo } from '../../kernels/types.ts';
import type { EventType } from '../../protocol/payloads.ts';
import type { Args } from './args.ts';

export interface CommandHost {
  deviceId: string;
  /** The effective config: what was loaded at start with every live change in force (config/get shows it). */
  config(): HashlingConfig;
  /** The JSON file config/set persists to (config.writable), if the agent was started with one. */
  configFile: string | undefined;
  /** Bounds from this device (cores) for the config rules. */
  facts: HostFacts;
  now(): number;
  setPaused(paused: boolean): void;
  mode(): string;
  publishState(): void;
  /**
   * Puts a validated config in force through the components that own the
   * changed live keys (budget, pool threads, command limits). Throws when a
   * component cannot (a thread that fails to start); nothing else changed then.
   */
  apply(next: HashlingConfig, changed: readonly string[]): Promise<void>;
  threads(): number;
  maxThreads(): number;
  kernels: Partial<Record<Algo, string>>;
  version: string;
  /** Stops the agent cleanly and exits with EXIT.RESTART for the service manager. */
  requestRestart(): void;
  /** An event on `<base>/<id>/events`; `info` events carry an I_ code. */
  event(type: EventType, code: string, message: string): void;
}

/** What a handler gets: the host, its arguments, and state the command server keeps. */
export interface VerbContext {
  host: CommandHost;
  args: Args;
  /** Keys changed by config/set that take effect after a restart. */
  pending: Record<string, unknown>;
}

export interface Reply {
  data: Record<string, unknown>;
  /** Runs after the response was handed to the broker (restart). */
  after?: () => void;
}

export type VerbHandler = (ctx: VerbContext) => Reply | Promise<Reply>;

/** Keys the running agent changes without a restart (through CommandHost.apply). */
export function isLiveKey(path: string): boolean {
  return path.startsWith('budget.') || path.startsWith('commands.') || path === 'hashing.threads';
}
