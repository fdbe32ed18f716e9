// The shape of a config key and of a section, and the types derived from them:
// a section is declared once (its keys, with formats from config/formats.ts) and
// its TypeScript type follows, so code and schema cannot drift apart.
import type { Format } from './formats.ts';

export interface KeySpec<T> {
  doc: string;
  format: Format<T>;
  default: NoInfer<T>;
  /** README text for a default that depends on the host (e.g. "hostname"). */
  defaultDoc?: string;
  /** CLI flag (without --) that sets this key; flags win over env and file. */
  arg?: string;
  /** Redacted in `config print`, `config/get`, logs and the config digest. */
  sensitive?: boolean;
  /** Needs a process restart to take effect (reported by config/set). */
  restart?: boolean;
  /**
   * Writable over MQTT (config/set). Off by default: only keys that cannot change
   * whom the device talks to, what it trusts or what it executes are opened.
   */
  remote?: boolean;
}

// Any key spec, whatever its value type (used only as a constraint).

export type AnyKeySpec = KeySpec<any>;
export type SectionSpec = Record<string, AnyKeySpec>;

/** Keeps the value type of a key spec (so a section can be declared `as const`-like). */
export function key<T>(spec: KeySpec<T>): KeySpec<T> {
  return spec;
}

export type DeepReadonly<T> = T extends (infer E)[] ? readonly DeepReadonly<E>[]
  : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
  : T;

/** The frozen values of a section. */
export type SectionValues<S extends SectionSpec> = { readonly [K in keyof S]: S[K] extends KeySpec<infer T> ? DeepReadonly<T> : never };

/** The mutable form of a section's values (a patch being built, a copy a component owns). */
export type MutableSection<S extends SectionSpec> = { -readonly [K in keyof S]: S[K] extends KeySpec<infer T> ? T : never };
