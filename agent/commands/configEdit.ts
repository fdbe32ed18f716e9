// config/get as a pure function (config/set's validation is config/patch.ts):
// the effective config, redacted, whole or by section / "section.key".
import { redactConfig } from '../../config/load.ts';
import type { HashlingConfig } from '../../config/schema.ts';

/** config/get: the whole redacted config, or the named sections / "section.key" entries. */
export function selectConfig(config: HashlingConfig, keys: readonly string[] | undefined): { config: Record<string, unknown>; problems: string[] } {
  const red = redactConfig(config);
  if (!keys || keys.length === 0) return { config: red, problems: [] };
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const key of keys) {
    const [s, k] = key.split('.', 2);
    if (!Object.hasOwn(red, s) || (k !== undefined && !Object.hasOwn(red[s], k))) problems.push(`${key}: unknown key`);
    else if (k === undefined) out[s] = red[s];
    else out[key] = red[s][k];
  }
  return { config: out, problems };
}
