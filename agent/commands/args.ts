// Argument checks of command handlers: tiny named functions that throw a coded
// E_BAD_COMMAND naming the argument and the accepted shape.
import { HashlingError } from '../../protocol/errors.ts';

export type Args = Record<string, unknown>;

function bad(message: string): HashlingError {
  return new HashlingError('E_BAD_COMMAND', message);
}

/** Refuses arguments a verb does not take (a typo must not be silently ignored). */
export function onlyKeys(args: Args, allowed: readonly string[]): void {
  const unknown = Object.keys(args).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw bad(`unknown argument${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}; this command takes ${allowed.length ? allowed.join(', ') : 'none'}`);
  }
}

export function requiredInt(args: Args, key: string, min: number, max: number): number {
  const v = args[key];
  if (v === undefined) throw bad(`"${key}" is required: an integer within [${min}, ${max}]`);
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) throw bad(`"${key}" must be an integer within [${min}, ${max}] (got ${JSON.stringify(v)})`);
  return v as number;
}

export function optionalNumber(args: Args, key: string, min: number, max: number): number | undefined {
  const v = args[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw bad(`"${key}" must be a number within [${min}, ${max}] (got ${JSON.stringify(v)})`);
  return v;
}

export function optionalChoice<T extends string>(args: Args, key: string, choices: readonly T[]): T | undefined {
  const v = args[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !choices.includes(v as T)) throw bad(`"${key}" must be one of ${choices.join(', ')} (got ${JSON.stringify(v)})`);
  return v as T;
}

export function optionalStringList(args: Args, key: string): string[] | undefined {
  const v = args[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw bad(`"${key}" must be a list of strings`);
  return v as string[];
}
