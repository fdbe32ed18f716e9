// Loads the effective configuration. Sources, later wins: schema defaults →
// JSON config file (--config FILE or HASHLING_CONFIG) → env (HASHLING_<SECTION>_<KEY>)
// → CLI flags → overrides (what `demo` forces). Every key is checked by its format,
// then the cross-key rules (config/rules.ts) run, and every problem is reported at
// once in one E_CONFIG error. The result is deep-frozen: components own copies of
// what they change live.
import convict from 'convict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { HashlingError } from '../protocol/errors.ts';
import { closest, configFlagOptions, flagKeys } from './flags.ts';
import type { Format } from './formats.ts';
import { crossFieldProblems, hostFacts, type HostFacts } from './rules.ts';
import { SECTIONS, allKeys, envName, keySpec, type HashlingConfig } from './schema.ts';

export type { HashlingConfig } from './schema.ts';

export interface LoadOptions {
  /** The JSON config file; default: env HASHLING_CONFIG. */
  file?: string;
  env?: Record<string, string | undefined>;
  /** Schema flags by name ("device-id"), as strings from the command line (cli/args.ts). */
  flags?: Record<string, string | undefined>;
  /** A command line of schema flags and --config only, parsed strictly (tests and benches). */
  argv?: string[];
  /** "section": {key: value} applied last, over every source (what `demo` forces). */
  overrides?: Record<string, Record<string, unknown>>;
  /** Bounds from the device (cores); default: this host. */
  host?: HostFacts;
}

const registered = new Set<string>();
/** Registers with convict every format the schema uses, once per process (convict keeps a global table). */
function registerFormats(): void {
  for (const [, , spec] of allKeys()) {
    const f = spec.format as Format<unknown>;
    if (registered.has(f.name)) continue;
    registered.add(f.name);
    convict.addFormat({ name: f.name, validate: f.validate, ...(f.coerce ? { coerce: f.coerce } : {}) });
  }
}

/** The convict schema object built from SECTIONS (its shape is HashlingConfig's, key for key). */
function convictSchema(): convict.Schema<HashlingConfig> {
  const out: Record<string, Record<string, object>> = {};
  for (const [s, k, spec] of allKeys()) {
    out[s] ??= {};
    out[s][k] = { doc: spec.doc, format: spec.format.name, default: spec.default, env: envName(s, k), ...(spec.sensitive ? { sensitive: true } : {}) };
  }
  return out as convict.Schema<HashlingConfig>;
}

/** Parses a command line of schema flags strictly (unknown flags are E_USAGE). */
function flagsFromArgv(argv: string[]): { file?: string; flags: Record<string, string> } {
  try {
    const { values } = parseArgs({ args: argv, options: configFlagOptions(), strict: true, allowPositionals: false });
    const { config, ...flags } = values as Record<string, string>;
    return { file: config, flags };
  } catch (err) {
    throw new HashlingError('E_USAGE', (err as Error).message);
  }
}

/** HASHLING_<SECTION>_… vars of a known section that name no key: a typo must not be ignored silently. */
function unknownEnvProblems(env: Record<string, string | undefined>): string[] {
  const known = new Set(allKeys().map(([s, k]) => envName(s, k)));
  const sections = Object.keys(SECTIONS).map((s) => `HASHLING_${s.toUpperCase()}_`);
  const out: string[] = [];
  for (const name of Object.keys(env)) {
    if (!name.startsWith('HASHLING_') || known.has(name) || !sections.some((p) => name.startsWith(p))) continue;
    const hint = closest(name, known);
    out.push(`${name}: not a config variable${hint ? ` (did you mean ${hint}?)` : ''}`);
  }
  return out;
}

/** The config file the options name, if any. */
export function configFileOf(opts: LoadOptions): string | undefined {
  const fromArgv = opts.argv ? flagsFromArgv(opts.argv).file : undefined;
  return opts.file ?? fromArgv ?? ((opts.env ?? process.env).HASHLING_CONFIG || undefined);
}

/** Builds, validates and freezes the config; throws E_CONFIG listing every problem (E_USAGE for a bad argv). */
export function loadConfig(opts: LoadOptions = {}): HashlingConfig {
  registerFormats();
  const env = opts.env ?? process.env;
  const parsed = opts.argv ? flagsFromArgv(opts.argv) : { flags: {} as Record<string, string> };
  const flags = { ...parsed.flags, ...opts.flags };
  const file = configFileOf(opts);
  const problems: string[] = unknownEnvProblems(env);
  const conf = convict(convictSchema(), { env: env as Record<string, string>, args: [] });
  if (file !== undefined) {
    try {
      conf.load(JSON.parse(readFileSync(file, 'utf8')) as object);
    } catch (err) {
      problems.push(`config file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  // convict's typed set() cannot name a key chosen at run time; keys are checked against the schema above.
  const setKey = (path: string, value: unknown) => conf.set(path as never, value as never);
  const byFlag = flagKeys();
  for (const [name, raw] of Object.entries(flags)) {
    if (raw === undefined) continue;
    const path = byFlag.get(name);
    if (!path) throw new HashlingError('E_USAGE', `unknown option --${name}`);
    setKey(path, raw);
  }
  for (const [s, keys] of Object.entries(opts.overrides ?? {})) {
    for (const [k, v] of Object.entries(keys)) {
      if (!keySpec(`${s}.${k}`)) problems.push(`${s}.${k}: unknown key`);
      else setKey(`${s}.${k}`, v);
    }
  }
  try {
    conf.validate({ allowed: 'strict' });
  } catch (err) {
    problems.push(...(err as Error).message.split('\n').map((l) => l.trim()).filter((l) => l !== ''));
  }
  const config = conf.getProperties();
  if (problems.length === 0) problems.push(...crossFieldProblems(config, opts.host ?? hostFacts()));
  if (problems.length === 0 && config.broker.password_file) {
    (config.broker as { password: string }).password = firstLine(config.broker.password_file);
  }
  if (problems.length > 0) throw configError(problems);
  return deepFreeze(config);
}

/** One E_CONFIG error for a list of problems (also the shape config/set answers with). */
export function configError(problems: string[]): HashlingError {
  return Object.assign(
    new HashlingError('E_CONFIG', `invalid configuration (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n  ${problems.join('\n  ')}`),
    { data: { problems } },
  );
}

/** First line of a secret file (password files end with a newline). Readability was checked by its format. */
export function firstLine(path: string): string {
  return readFileSync(path, 'utf8').split(/\r?\n/)[0]!;
}

export function deepFreeze<T>(obj: T): T {
  if (obj && typeof obj === 'object' && !Object.isFrozen(obj)) {
    for (const v of Object.values(obj)) deepFreeze(v);
    Object.freeze(obj);
  }
  return obj;
}

/** Keys marked sensitive in the schema, as "section.key". */
export function sensitiveKeys(): string[] {
  return allKeys().filter(([, , spec]) => spec.sensitive).map(([s, k]) => `${s}.${k}`);
}

/** A deep copy with every sensitive value that is set replaced by "[redacted]". */
export function redactConfig(config: HashlingConfig): Record<string, Record<string, unknown>> {
  const copy: Record<string, Record<string, unknown>> = structuredClone(config);
  for (const path of sensitiveKeys()) {
    const [s, k] = path.split('.');
    const section = copy[s];
    if (section && section[k] !== '' && section[k] !== undefined && section[k] !== null) section[k] = '[redacted]';
  }
  return copy;
}

/** Short digest of the redacted config, advertised in `info` so operators spot drift. */
export function configDigest(config: HashlingConfig): string {
  return createHash('sha256').update(JSON.stringify(redactConfig(config))).digest('hex').slice(0, 16);
}
