// config/get and config/set. config/set is one transaction: validate (every
// problem listed, nothing changes), persist atomically when config.writable,
// then apply; when applying fails the file is put back, so nothing changed.
import { configError } from '../../../config/load.ts';
import { applyConfigPatch, normalizePatch } from '../../../config/patch.ts';
import { HashlingError } from '../../../protocol/errors.ts';
import { optionalStringList, onlyKeys } from '../args.ts';
import { selectConfig } from '../configEdit.ts';
import { persistConfigPatch, restoreConfigFile } from '../configFile.ts';
import { isLiveKey, type VerbHandler } from '../host.ts';

export const configGet: VerbHandler = ({ host, args, pending }) => {
  onlyKeys(args, ['keys']);
  const config = host.config();
  const { config: selected, problems } = selectConfig(config, optionalStringList(args, 'keys'));
  if (problems.length > 0) throw Object.assign(new HashlingError('E_BAD_COMMAND', problems.join('; ')), { data: { problems } });
  return { data: { config: selected, pending_restart: Object.keys(pending), writable: config.config.writable, file: host.configFile ?? null } };
};

export const configSet: VerbHandler = async ({ host, args, pending }) => {
  const { patch, problems: shape } = normalizePatch(args);
  if (shape.length > 0) throw configError(shape);
  const current = host.config();
  const res = applyConfigPatch(current, patch, { remote: true, host: host.facts });
  if (!res.ok) throw configError(res.problems);
  const live = res.changed.filter(isLiveKey);
  const restart = res.changed.filter((k) => !isLiveKey(k));
  let persisted = false;
  let previous: string | null = null;
  if (current.config.writable) {
    if (!host.configFile) throw new HashlingError('E_CONFIG', 'config.writable is set but the agent was started without a config file (--config or HASHLING_CONFIG); nothing changed');
    previous = persistConfigPatch(host.configFile, patch);
    persisted = true;
  }
  try {
    await host.apply(res.config, live);
  } catch (err) {
    if (persisted) restoreConfigFile(host.configFile!, previous);
    throw new HashlingError('E_INTERNAL', `could not apply ${live.join(', ')}: ${(err as Error).message}; nothing changed`);
  }
  for (const k of restart) pending[k] = patch[k];
  return { data: { changed: res.changed, applied: live, restart_required: restart, persisted } };
};
