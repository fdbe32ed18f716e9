// One command-line parser for every hashling command: node:util parseArgs in
// strict mode (no dependency, and strict mode is what we need: an unknown flag
// is an error naming the closest known one, never ignored). Every command and
// subcommand answers --help with its usage and starts nothing. Commands that load
// config also take --config FILE and every flag the schema declares.
//
// runCommand() is the one place where a command's outcome becomes an exit code:
// usage errors exit 64, anything thrown goes through exitCodeFor (lifecycle/exitCodes.ts).
import { parseArgs } from 'node:util';
import { closest, configFlagOptions } from '../config/flags.ts';
import type { LoadOptions } from '../config/load.ts';
import { allKeys } from '../config/schema.ts';
import { EXIT, exitCodeFor } from '../lifecycle/exitCodes.ts';
import { HashlingError, toHashlingError } from '../protocol/errors.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** Placeholder in the usage ("N", "URL"). */
  value?: string;
  help: string;
}

export interface CommandSpec {
  /** "agent", "fleet list"… */
  name: string;
  summary: string;
  /** Positional arguments as shown in the usage line, e.g. "<target> <verb> [json]". */
  args?: string;
  positionals?: { min: number; max: number };
  options?: Record<string, OptionSpec>;
  /** Takes --config FILE and the schema's flags (--broker, --device-id…). */
  config?: boolean;
  /** Extra lines after the options. */
  notes?: string;
}

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  /** What loadConfig needs from the command line (the file and the schema flags). */
  load: Pick<LoadOptions, 'file' | 'flags'>;
}

const HELP: OptionSpec = { type: 'boolean', short: 'h', help: 'show this help and exit' };

function usageError(message: string): HashlingError {
  return new HashlingError('E_USAGE', message);
}

/** The usage text of a command. */
export function helpText(spec: CommandSpec): string {
  const lines = [`usage: hashling ${spec.name}${spec.options || spec.config ? ' [options]' : ''}${spec.args ? ` ${spec.args}` : ''}`, '', spec.summary, ''];
  const rows: [string, string][] = [];
  for (const [name, o] of Object.entries(spec.options ?? {})) {
    rows.push([`${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`, `${o.help}${o.multiple ? ' (repeatable)' : ''}`]);
  }
  if (spec.config) {
    rows.push(['--config FILE', 'JSON config file (or HASHLING_CONFIG)']);
    for (const [s, k, key] of allKeys()) if (key.arg) rows.push([`--${key.arg} VALUE`, `sets ${s}.${k}: ${key.doc.split('. ')[0]}`]);
  }
  rows.push(['-h, --help', HELP.help]);
  const width = Math.min(28, Math.max(...rows.map(([l]) => l.length)));
  lines.push('options:', ...rows.map(([l, r]) => `  ${l.padEnd(width)}  ${r}`));
  if (spec.config) lines.push('', 'Every config key can also be set by env (HASHLING_<SECTION>_<KEY>) or the config file; see `hashling config schema`.');
  if (spec.notes) lines.push('', spec.notes);
  return `${lines.join('\n')}\n`;
}

/** Parses argv for a command; 'help' when --help was given. Throws E_USAGE naming the problem. */
export function parseCommandLine(spec: CommandSpec, argv: string[]): Parsed | 'help' {
  const own: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, o] of Object.entries(spec.options ?? {})) own[name] = { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) };
  const schemaFlags = spec.config ? configFlagOptions() : {};
  const options = { ...schemaFlags, ...own };
  let values: Parsed['values'];
  let positionals: string[];
  try {
    const r = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
    values = r.values as Parsed['values'];
    positionals = r.positionals;
  } catch (err) {
    const e = err as Error & { code?: string };
    const m = /'(-{1,2}[^']+)'/.exec(e.message);
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && m) {
      const known = Object.keys(options).map((o) => `--${o}`);
      const hint = closest(m[1].split('=')[0], known);
      throw usageError(`unknown option ${m[1]}${hint ? ` (did you mean ${hint}?)` : ''}`);
    }
    throw usageError(e.message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  if (values.help === true) return 'help';
  const p = spec.positionals ?? { min: 0, max: 0 };
  if (positionals.length < p.min) throw usageError(`missing argument${spec.args ? `: ${spec.args}` : ''}`);
  if (positionals.length > p.max) throw usageError(`unexpected argument "${positionals[p.max]}"`);
  const flags: Record<string, string> = {};
  for (const name of Object.keys(schemaFlags)) {
    const v = values[name];
    if (name !== 'config' && typeof v === 'string') flags[name] = v;
  }
  const file = typeof values.config === 'string' ? values.config : undefined;
  return { values, positionals, load: { ...(file !== undefined ? { file } : {}), flags } };
}

export type Write = (text: string) => void;
const stdout: Write = (t) => { process.stdout.write(t); };
const stderr: Write = (t) => { process.stderr.write(t); };

/**
 * Parses, prints help, runs the body, and turns every outcome into an exit code:
 * --help 0, a usage error 64, an error thrown by the body its mapped code, with
 * one stderr line `hashling <command>: <CODE> <message>`.
 */
export async function runCommand(spec: CommandSpec, argv: string[], body: (p: Parsed) => Promise<number>, io: { out?: Write; err?: Write } = {}): Promise<number> {
  const out = io.out ?? stdout;
  const err = io.err ?? stderr;
  let parsed: Parsed | 'help';
  try {
    parsed = parseCommandLine(spec, argv);
  } catch (e) {
    err(`hashling ${spec.name}: ${(e as Error).message}\n(see hashling ${spec.name} --help)\n`);
    return EXIT.USAGE;
  }
  if (parsed === 'help') {
    out(helpText(spec));
    return EXIT.OK;
  }
  try {
    return await body(parsed);
  } catch (e) {
    const h = toHashlingError(e);
    err(`hashling ${spec.name}: ${h.code} ${h.message}${h.code === 'E_USAGE' ? `\n(see hashling ${spec.name} --help)` : ''}\n`);
    if (h.code === 'E_INTERNAL' && e instanceof Error && e.stack) err(`${e.stack}\n`);
    return exitCodeFor(h);
  }
}

/** A number option within [min, max] (E_USAGE otherwise); `fallback` when absent. */
export function numberOption(p: Parsed, name: string, fallback: number, min: number, max: number, integer = false): number {
  const raw = p.values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw usageError(`--${name} must be ${integer ? 'an integer' : 'a number'} within [${min}, ${max}] (got ${JSON.stringify(raw)})`);
  }
  return n;
}

/** A string option that must be one of `choices`. */
export function choiceOption<T extends string>(p: Parsed, name: string, choices: readonly T[], fallback: T): T {
  const raw = p.values[name];
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !choices.includes(raw as T)) throw usageError(`--${name} must be one of ${choices.join(', ')} (got ${JSON.stringify(raw)})`);
  return raw as T;
}

/** Dispatches `hashling <group> <sub> …` to the subcommand's runner; --help lists the subcommands. */
export async function runGroup(group: string, summary: string, subs: Record<string, { summary: string; run: (argv: string[]) => Promise<number> }>, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const list = Object.entries(subs).map(([n, s]) => `  ${n.padEnd(10)} ${s.summary}`).join('\n');
  const help = `usage: hashling ${group} <${Object.keys(subs).join('|')}> [options]\n\n${summary}\n\nsubcommands:\n${list}\n\n(hashling ${group} <subcommand> --help for its options)\n`;
  if (sub === '--help' || sub === '-h') {
    process.stdout.write(help);
    return EXIT.OK;
  }
  if (sub === undefined || !Object.hasOwn(subs, sub)) {
    const hint = sub === undefined ? null : closest(sub, Object.keys(subs));
    process.stderr.write(`hashling ${group}: ${sub === undefined ? 'missing subcommand' : `unknown subcommand "${sub}"${hint ? ` (did you mean ${hint}?)` : ''}`}\n\n${help}`);
    return EXIT.USAGE;
  }
  return subs[sub].run(rest);
}
