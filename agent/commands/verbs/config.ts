// config/get and config/set. config/set is all or nothing: every problem is
// listed and nothing changes; when valid it is written to the config file first
// (if config.writable), so a failed write changes nothing either, then applied.
import { HashlingError } from '../../../protocol/errors.ts';
import { optionalStringList, onlyKeys } from '../args.ts';
import { configPatchProblems, normalizePatch, selectConfig, splitLive } from '../configEdit.ts';
import { persistConfigPatch } from '../configFile.ts';
import type { VerbContext, VerbHandler } from '../host.ts';

function badConfig(problems: string[]): HashlingError {
  return Object.assign(new HashlingError('E_CONFIG', `invalid configuration (${problems.length} problem${problems.length > 1 ? 's' : ''}): ${problems.join('; ')}`), { data: { problems } });
}

export const configGet: VerbHandler = ({ host, args, pending }) => {
  onlyKeys(args, ['keys']);
  const { config, problems } = selectConfig(host.config, optionalStringList(args, 'keys'));
  if (problems.length > 0) throw Object.assign(new HashlingError('E_BAD_COMMAND', problems.join('; ')), { data: { problems } });
  return { data: { config, pending_restart: Object.keys(pending), writable: Boolean(host.config.config.writable), file: host.configFile ?? null } };
};

export const configSet: VerbHandler = async (ctx) => {
  const { host } = ctx;
  const { patch, problems: shape } = normalizePatch(ctx.args);
  const problems = shape.length > 0 ? shape : configPatchProblems(host.config, patch);
  if (problems.length > 0) throw badConfig(problems);
  let persisted = false;
  if (host.config.config.writable) {
    if (!host.configFile) throw new HashlingError('E_CONFIG', 'config.writable is set but the agent was started without a config file (--config or HASHLING_CONFIG); nothing changed');
    persistConfigPatch(host.configFile, patch);
    persisted = true;
  }
  const { live, restart } = splitLive(patch);
  await applyLive(ctx, Object.fromEntries(live.map((k) => [k, patch[k]])));
  for (const k of restart) ctx.pending[k] = patch[k];
  return { data: { changed: Object.keys(patch), applied: live, restart_required: restart, persisted } };
};

/** Applies keys listed in LIVE_KEYS; validated already, so a failure here is a bug (E_INTERNAL). */
async function applyLive(ctx: VerbContext, live: Record<string, unknown>): Promise<void> {
  const { host } = ctx;
  const budget: Record<string, unknown> = {};
  for (const [path, v] of Object.entries(live)) {
    const [s, k] = path.split('.', 2);
    if (s === 'budget') budget[k] = v;
  }
  if (Object.keys(budget).length > 0) {
    const res = host.setBudget(budget);
    if (!res.ok) throw new HashlingError('E_INTERNAL', `budget refused a validated update: ${res.problems.join('; ')}`);
  }
  if ('hashing.threads' in live && live['hashing.threads'] !== host.threads()) await host.setThreads(live['hashing.threads'] as number);
  for (const [path, v] of Object.entries(live)) {
    const [s, k] = path.split('.', 2);
    (host.config[s] as Record<string, unknown>)[k] = v;
  }
  if (Object.keys(live).some((k) => k.startsWith('commands.'))) ctx.onCommandsConfig();
  if (Object.keys(live).some((k) => k === 'hashing.threads' || k.startsWith('budget.'))) host.publishState();
}
