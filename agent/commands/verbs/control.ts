// pause, resume, threads/set, budget/set, ping, restart.
import { HashlingError } from '../../../protocol/errors.ts';
import { onlyKeys, requiredInt } from '../args.ts';
import { EXIT_RESTART, type VerbHandler } from '../host.ts';

/** Delay between the restart response and the clean stop, so the response leaves first. */
const RESTART_DELAY_MS = 200;

export const pause: VerbHandler = ({ host, args }) => {
  onlyKeys(args, []);
  host.setPaused(true);
  return { data: { mode: host.mode() } };
};

export const resume: VerbHandler = ({ host, args }) => {
  onlyKeys(args, []);
  host.setPaused(false);
  return { data: { mode: host.mode() } };
};

export const threadsSet: VerbHandler = async ({ host, args }) => {
  onlyKeys(args, ['threads']);
  const n = requiredInt(args, 'threads', 1, host.maxThreads());
  const before = host.threads();
  await host.setThreads(n);
  host.config.hashing.threads = n;
  host.publishState();
  return { data: { threads: host.threads(), previous: before } };
};

export const budgetSet: VerbHandler = ({ host, args }) => {
  const res = host.setBudget(args);
  if (!res.ok) {
    throw Object.assign(new HashlingError('E_BAD_COMMAND', `budget/set: ${res.problems.join('; ')}`), { data: { problems: res.problems } });
  }
  // Keep the running config in step, so config/get shows what is in force.
  for (const k of res.changed) (host.config.budget as Record<string, unknown>)[k] = args[k];
  host.publishState();
  return { data: { changed: res.changed.map((k) => `budget.${k}`), budget: structuredClone(host.config.budget) } };
};

export const ping: VerbHandler = ({ host, args }) => {
  onlyKeys(args, []);
  return { data: { pong: true, version: host.version, mode: host.mode(), threads: host.threads(), ts: host.now() } };
};

export const restart: VerbHandler = ({ host, args }) => {
  onlyKeys(args, []);
  return {
    data: { exit_code: EXIT_RESTART, in_ms: RESTART_DELAY_MS },
    after: () => setTimeout(() => host.requestRestart(), RESTART_DELAY_MS).unref(),
  };
};
