// pause, resume, threads/set, budget/set, ping, restart.
import { applyConfigPatch } from '../../../config/patch.ts';
import { HashlingError } from '../../../protocol/errors.ts';
import { EXIT } from '../../../lifecycle/exitCodes.ts';
import { onlyKeys, requiredInt } from '../args.ts';
import type { VerbHandler } from '../host.ts';

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
  const res = applyConfigPatch(host.config(), { 'hashing.threads': n }, { remote: true, host: host.facts });
  if (!res.ok) throw Object.assign(new HashlingError('E_BAD_COMMAND', `threads/set: ${res.problems.join('; ')}`), { data: { problems: res.problems } });
  await host.apply(res.config, res.changed);
  return { data: { threads: host.threads(), previous: before } };
};

/** budget/set: budget keys, validated like config/set (same formats, same cross-key rules), applied live. */
export const budgetSet: VerbHandler = async ({ host, args }) => {
  const patch = Object.fromEntries(Object.entries(args).map(([k, v]) => [`budget.${k}`, v]));
  const res = Object.keys(patch).length === 0
    ? { ok: false as const, problems: ['no budget keys given'] }
    : applyConfigPatch(host.config(), patch, { remote: true, host: host.facts });
  if (!res.ok) {
    throw Object.assign(new HashlingError('E_BAD_COMMAND', `budget/set: ${res.problems.join('; ')}`), { data: { problems: res.problems } });
  }
  await host.apply(res.config, res.changed);
  return { data: { changed: res.changed, budget: structuredClone(host.config().budget) } };
};

export const ping: VerbHandler = ({ host, args }) => {
  onlyKeys(args, []);
  return { data: { pong: true, version: host.version, mode: host.mode(), threads: host.threads(), ts: host.now() } };
};

export const restart: VerbHandler = ({ host, args }) => {
  onlyKeys(args, []);
  return {
    data: { exit_code: EXIT.RESTART, in_ms: RESTART_DELAY_MS },
    after: () => setTimeout(() => host.requestRestart(), RESTART_DELAY_MS).unref(),
  };
};
