// pause, resume, threads/set, budget/set, budget/target, ping, restart.
import { applyConfigPatch } from '../../../config/patch.ts';
import { HashlingError } from '../../../protocol/errors.ts';
import { HA_TEMP_TARGET_C } from '../../../protocol/homeAssistant.ts';
import { EXIT } from '../../../lifecycle/exitCodes.ts';
import { onlyKeys, optionalNumber, requiredInt } from '../args.ts';
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

/**
 * budget/target: the temperature target alone, within [30, 90] °C (Home
 * Assistant's number entity). The agent cannot tell who sent a command, so a
 * narrow verb is how the broker bounds a narrow role: the HA account may write
 * budget/target but not budget/set (deploy/mosquitto/hashling.acl). The same
 * rules as budget/set apply on top (the target stays below temp_cutoff_c).
 */
export const budgetTarget: VerbHandler = async ({ host, args }) => {
  onlyKeys(args, ['temp_target_c']);
  const { min, max } = HA_TEMP_TARGET_C;
  const target = optionalNumber(args, 'temp_target_c', min, max);
  if (target === undefined) throw new HashlingError('E_BAD_COMMAND', `"temp_target_c" is required: a number within [${min}, ${max}] °C`);
  const previous = host.config().budget.temp_target_c;
  const res = applyConfigPatch(host.config(), { 'budget.temp_target_c': target }, { remote: true, host: host.facts });
  if (!res.ok) {
    throw Object.assign(new HashlingError('E_BAD_COMMAND', `budget/target: ${res.problems.join('; ')}`), { data: { problems: res.problems } });
  }
  await host.apply(res.config, res.changed);
  return { data: { temp_target_c: host.config().budget.temp_target_c, previous } };
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
