// config/set and config/get as pure functions: a patch is checked against the one
// convict schema (the same validation as the config file; every problem at once),
// then split into keys applied live and keys that need a restart.
import convict from 'convict';
import { budgetConsistencyProblems } from '../budget/budgetPatch.ts';
import type { BudgetConfig } from '../../config/budget.ts';
import { redactConfig, type HashlingConfig } from '../../config/load.ts';
import { registerFormats } from '../../config/formats.ts';
import { SECTIONS, buildConvictSchema } from '../../config/schema.ts';

/** "section.key" → value. */
export type ConfigPatch = Record<string, unknown>;

/**
 * Keys the running agent applies without a restart (runtime.ts wires each one).
 * Every other changed key is listed in `restart_required`, whether or not its
 * schema entry says `restart` (which marks keys that can never be live).
 */
export const LIVE_KEYS: readonly string[] = [
  ...Object.keys(SECTIONS.budget).map((k) => `budget.${k}`),
  'hashing.threads',
  'commands.rate_per_min', 'commands.burst', 'commands.identify_s',
];

/**
 * Keys config/set refuses: the trust anchors. Whoever holds an operator account
 * may tune and move devices, but must not be able to switch on remote writes,
 * replace the coordinator's signing key, or drop the broker's TLS pinning (which
 * would let a leaked operator password hand the fleet to another broker or job
 * source). These change only in the config file, env or flags on the device.
 */
export const REMOTE_LOCKED: readonly string[] = [
  'config.writable', 'work.coordinator_public_key', 'broker.allow_insecure', 'broker.ca', 'broker.cert', 'broker.key',
];

/**
 * Accepts `{"budget": {"temp_target_c": 65}}` and `{"budget.temp_target_c": 65}`
 * (both may be mixed) and returns the dotted form, or the problems of its shape.
 */
export function normalizePatch(args: Record<string, unknown>): { patch: ConfigPatch; problems: string[] } {
  const patch: ConfigPatch = {};
  const problems: string[] = [];
  for (const [k, v] of Object.entries(args)) {
    if (k.includes('.')) { patch[k] = v; continue; }
    if (!(k in SECTIONS)) { problems.push(`${k}: unknown section (sections: ${Object.keys(SECTIONS).join(', ')})`); continue; }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) { problems.push(`${k}: must be an object of ${k}.* keys`); continue; }
    for (const [key, val] of Object.entries(v)) patch[`${k}.${key}`] = val;
  }
  if (problems.length === 0 && Object.keys(patch).length === 0) problems.push('no keys to set');
  return { patch, problems };
}

/** Sets dotted keys in a deep copy of a nested object. */
export function withPatch<T extends Record<string, unknown>>(obj: T, patch: ConfigPatch): T {
  const out = structuredClone(obj) as Record<string, Record<string, unknown>>;
  for (const [path, v] of Object.entries(patch)) {
    const [s, k] = path.split('.', 2);
    out[s] = { ...(out[s] ?? {}), [k]: v };
  }
  return out as T;
}

/**
 * Every problem of applying the patch to the current config: unknown keys, values
 * the schema rejects (convict's own messages, as for a config file), and budget
 * combinations no single key shows. Empty = valid.
 */
export function configPatchProblems(current: HashlingConfig, patch: ConfigPatch): string[] {
  const problems: string[] = [];
  const known: ConfigPatch = {};
  for (const [path, v] of Object.entries(patch)) {
    const [s, k, extra] = path.split('.');
    if (extra !== undefined || !SECTIONS[s] || !SECTIONS[s][k]) problems.push(`${path}: unknown key`);
    else if (REMOTE_LOCKED.includes(path)) problems.push(`${path}: not settable over MQTT (a trust anchor); change it in the device's config file`);
    else known[path] = v;
  }
  const merged = withPatch(current as unknown as Record<string, unknown>, known);
  registerFormats();
  try {
    const conf = convict(buildConvictSchema() as convict.Schema<Record<string, unknown>>, { env: {}, args: [] });
    conf.load(merged);
    conf.validate({ allowed: 'strict' });
  } catch (err) {
    // Only lines about patched keys: the running config was valid when loaded.
    const lines = (err as Error).message.split('\n').map((l) => l.trim()).filter((l) => l !== '');
    problems.push(...lines.filter((l) => Object.keys(known).some((p) => l.startsWith(`${p}:`))));
    if (problems.length === 0) problems.push(...lines);
  }
  if (problems.length === 0 && Object.keys(known).some((p) => p.startsWith('budget.'))) {
    problems.push(...budgetConsistencyProblems((merged as unknown as HashlingConfig).budget as unknown as BudgetConfig));
  }
  return problems;
}

/** Which changed keys take effect now and which after a restart. */
export function splitLive(patch: ConfigPatch): { live: string[]; restart: string[] } {
  const keys = Object.keys(patch);
  return {
    live: keys.filter((k) => LIVE_KEYS.includes(k)),
    restart: keys.filter((k) => !LIVE_KEYS.includes(k)),
  };
}

/** config/get: the whole redacted config, or the named sections / "section.key" entries. */
export function selectConfig(config: HashlingConfig, keys: string[] | undefined): { config: Record<string, unknown>; problems: string[] } {
  const red = redactConfig(config) as unknown as Record<string, Record<string, unknown>>;
  if (!keys || keys.length === 0) return { config: red, problems: [] };
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const key of keys) {
    const [s, k] = key.split('.', 2);
    if (!red[s] || (k !== undefined && !(k in red[s]))) problems.push(`${key}: unknown key`);
    else if (k === undefined) out[s] = red[s];
    else out[key] = red[s][k];
  }
  return { config: out, problems };
}
