// Changing a running config: config/set and budget/set over MQTT go through
// here. A patch ("section.key" → value) is checked key by key (known, own key,
// writable remotely, valid by its format), then the merged config is checked by
// the same cross-key rules as at load. All or nothing: any problem and the
// current config stands. Pure.
import { FORBIDDEN_KEYS } from '../protocol/json.ts';
import { deepFreeze } from './load.ts';
import { crossFieldProblems, type HostFacts } from './rules.ts';
import { SECTIONS, keySpec, type HashlingConfig } from './schema.ts';

/** "section.key" → value. */
export type ConfigPatch = Record<string, unknown>;

/**
 * Accepts `{"budget": {"temp_target_c": 65}}` and `{"budget.temp_target_c": 65}`
 * (both may be mixed) and returns the dotted form, or the problems of its shape.
 */
export function normalizePatch(args: Record<string, unknown>): { patch: ConfigPatch; problems: string[] } {
  const patch: ConfigPatch = {};
  const problems: string[] = [];
  for (const [k, v] of Object.entries(args)) {
    if (FORBIDDEN_KEYS.includes(k)) { problems.push(`${k}: key not allowed`); continue; }
    if (k.includes('.')) { patch[k] = v; continue; }
    if (!Object.hasOwn(SECTIONS, k)) { problems.push(`${k}: unknown section (sections: ${Object.keys(SECTIONS).join(', ')})`); continue; }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) { problems.push(`${k}: must be an object of ${k}.* keys`); continue; }
    for (const [key, val] of Object.entries(v)) patch[`${k}.${key}`] = val;
  }
  if (problems.length === 0 && Object.keys(patch).length === 0) problems.push('no keys to set');
  return { patch, problems };
}

export interface PatchOptions {
  /** Refuse keys not marked `remote` in the schema (config/set over MQTT). */
  remote: boolean;
  host: HostFacts;
}

export type PatchResult = { ok: true; config: HashlingConfig; changed: string[] } | { ok: false; problems: string[] };

/** The config with the patch applied, or every problem of the patch. */
export function applyConfigPatch(current: HashlingConfig, patch: ConfigPatch, opts: PatchOptions): PatchResult {
  const problems: string[] = [];
  // A mutable copy to edit; every value put in it passed its key's format above.
  const next: Record<string, Record<string, unknown>> = structuredClone(current);
  const changed: string[] = [];
  for (const [path, v] of Object.entries(patch)) {
    const spec = keySpec(path);
    if (!spec) { problems.push(`${path}: unknown key`); continue; }
    if (opts.remote && !spec.remote) {
      problems.push(`${path}: not settable over MQTT (it decides whom the device talks to, what it trusts or what it runs); change it in the device's own config`);
      continue;
    }
    try {
      spec.format.validate(v);
    } catch (err) {
      problems.push(`${path}: ${(err as Error).message}`);
      continue;
    }
    const [s, k] = path.split('.') as [string, string];
    next[s][k] = structuredClone(v);
    changed.push(path);
  }
  if (problems.length === 0) {
    const merged = next as HashlingConfig;
    // Only the rules a patch can break: a rule about keys it did not touch held at load.
    const before = new Set(crossFieldProblems(current, opts.host));
    problems.push(...crossFieldProblems(merged, opts.host).filter((p) => !before.has(p)));
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config: deepFreeze(next as HashlingConfig), changed };
}

/** "section.key" paths of the keys marked remote in the schema. */
export function remoteKeys(): string[] {
  return Object.entries(SECTIONS).flatMap(([s, keys]) =>
    Object.entries(keys as Record<string, { remote?: boolean }>).filter(([, spec]) => spec.remote).map(([k]) => `${s}.${k}`));
}
