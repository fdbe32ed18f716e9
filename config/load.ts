// Loads the effective configuration. Sources, later wins: schema defaults →
// JSON config file (--config PATH or HASHLING_CONFIG) → env → CLI flags.
import convict from 'convict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { HashlingError } from '../protocol/errors.ts';
import { registerFormats } from './formats.ts';
import { SECTIONS, buildConvictSchema } from './schema.ts';

export interface CoreConfig {
  device: { id: string; groups: string[] };
  broker: {
    url: string; username: string; password: string; password_file: string;
    ca: string; cert: string; key: string; keepalive_s: number; protocol_version: 4 | 5;
    reconnect_min_ms: number; reconnect_max_ms: number; outbox_size: number; allow_insecure: boolean;
  };
  mqtt: { base_topic: string };
  hashing: { threads: number; queue_size: number; batch_ms: number };
  telemetry: { interval_s: number };
  demo: { port: number; share_interval_s: number };
}
/** The effective config; sections other than the core ones are typed by their owners. */
export type HashlingConfig = CoreConfig & Record<string, Record<string, unknown>>;

export interface LoadOptions {
  argv?: string[];
  env?: Record<string, string | undefined>;
  /** JSON object applied like a config file, after the file (used by `demo` and tests). */
  overrides?: Record<string, unknown>;
}

/** Path of the config file named by --config or HASHLING_CONFIG, if any. */
export function configPath(argv: string[], env: Record<string, string | undefined>): string | undefined {
  const i = argv.findIndex((a) => a === '--config' || a.startsWith('--config='));
  if (i >= 0) return argv[i].includes('=') ? argv[i].slice('--config='.length) : argv[i + 1];
  return env.HASHLING_CONFIG || undefined;
}

/**
 * Builds and validates the config. Every problem is reported at once in one
 * E_CONFIG error (one line each), so an operator fixes a file in one pass.
 */
export function loadConfig(opts: LoadOptions = {}): HashlingConfig {
  registerFormats();
  const argv = opts.argv ?? [];
  const env = (opts.env ?? process.env) as Record<string, string>;
  const problems: string[] = [];
  let conf: convict.Config<Record<string, unknown>>;
  try {
    conf = convict(buildConvictSchema() as convict.Schema<Record<string, unknown>>, { env, args: argv });
  } catch (err) {
    // convict coerces env/args while building; a wrong type there ends up here.
    throw new HashlingError('E_CONFIG', `invalid configuration:\n  ${(err as Error).message}`);
  }
  const file = configPath(argv, env);
  if (file !== undefined) {
    try {
      conf.load(JSON.parse(readFileSync(file, 'utf8')));
    } catch (err) {
      problems.push(`config file ${file}: ${(err as Error).message}`);
    }
  }
  if (opts.overrides) conf.load(opts.overrides);
  try {
    conf.validate({ allowed: 'strict' });
  } catch (err) {
    problems.push(...(err as Error).message.split('\n').filter((l) => l.trim() !== ''));
  }
  const config = conf.getProperties() as HashlingConfig;
  if (config.broker?.password_file) {
    try {
      config.broker.password = readFileSync(config.broker.password_file, 'utf8').split(/\r?\n/)[0];
    } catch (err) {
      problems.push(`broker.password_file: cannot read ${config.broker.password_file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  if (problems.length > 0) {
    throw new HashlingError('E_CONFIG', `invalid configuration (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n  ${problems.join('\n  ')}`);
  }
  return config;
}

/** Keys marked sensitive in the schema, as "section.key". */
export function sensitiveKeys(): string[] {
  return Object.entries(SECTIONS).flatMap(([s, keys]) =>
    Object.entries(keys).filter(([, spec]) => spec.sensitive).map(([k]) => `${s}.${k}`));
}

/** A deep copy with every sensitive value that is set replaced by "[redacted]". */
export function redactConfig(config: HashlingConfig): HashlingConfig {
  const copy = structuredClone(config);
  for (const path of sensitiveKeys()) {
    const [s, k] = path.split('.');
    const section = copy[s] as Record<string, unknown> | undefined;
    if (section && section[k] !== '' && section[k] !== undefined && section[k] !== null) section[k] = '[redacted]';
  }
  return copy;
}

/** Short digest of the redacted config, advertised in `info` so operators spot drift. */
export function configDigest(config: HashlingConfig): string {
  return createHash('sha256').update(JSON.stringify(redactConfig(config))).digest('hex').slice(0, 16);
}
