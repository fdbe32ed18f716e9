// Every value format of the config schema, defined once. A format validates a
// value (throwing an Error whose message names the accepted shape: convict prints
// it after the key), coerces the strings that env vars and flags deliver, and
// carries the TypeScript type of the value, so each section's type is derived
// from its keys (config/spec.ts). load.ts registers every format a section uses
// with convict; nothing else registers formats.
import { accessSync, constants, statSync } from 'node:fs';
import { hostname } from 'node:os';

export interface Format<T> {
  /** Unique name under which convict knows the format. */
  readonly name: string;
  /** Throws an Error saying what is accepted; returns when the value is valid. */
  validate(val: unknown): void;
  /** Turns an env/flag string into a value of the type; never throws (a bad string then fails validate). */
  coerce?(raw: string): unknown;
  /** Type carrier only; never set. */
  readonly __type?: T;
}

function format<T>(name: string, validate: (val: unknown) => void, coerce?: (raw: string) => unknown): Format<T> {
  return coerce ? { name, validate, coerce } : { name, validate };
}

/** A number from an env/flag string; anything else stays a string and fails validation. */
function toNumber(raw: string): unknown {
  return raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
}

// --- scalars ---

export const str = format<string>('string', (v) => {
  if (typeof v !== 'string') throw new Error('must be a string');
});

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];
/**
 * Booleans accept exactly true/false, 1/0, yes/no, on/off from env and flags.
 * Anything else is an error, never "true": `allow_insecure=maybe` must not
 * silently switch a protection off.
 */
export const bool = format<boolean>('strict-boolean', (v) => {
  if (typeof v !== 'boolean') throw new Error(`must be a boolean: ${TRUE.join('/')} or ${FALSE.join('/')}`);
}, (raw) => (TRUE.includes(raw) ? true : FALSE.includes(raw) ? false : raw));

/** The longest delay a Node timer holds (2^31 − 1 ms, ~24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** An integer within [min, max]. */
export function intIn(min: number, max: number): Format<number> {
  return format<number>(`int[${min},${max}]`, (v) => {
    if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) throw new Error(`must be an integer within [${min}, ${max}]`);
  }, toNumber);
}

/** A finite number within [min, max], or (min, max] when minExclusive. */
export function numberIn(min: number, max: number, minExclusive = false): Format<number> {
  const lo = minExclusive ? '(' : '[';
  return format<number>(`number${lo}${min},${max}]`, (v) => {
    const ok = typeof v === 'number' && Number.isFinite(v) && (minExclusive ? v > min : v >= min) && v <= max;
    if (!ok) throw new Error(`must be a number within ${lo}${min}, ${max}]`);
  }, toNumber);
}

/** A fraction in [0, 1): a fee or a band that can be zero but never the whole. */
export const fraction = format<number>('fraction[0,1)', (v) => {
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) throw new Error('must be a fraction in [0, 1)');
}, toNumber);

/** One of a fixed list of strings (or numbers: broker.protocol_version). */
export function oneOf<const V extends string | number>(values: readonly V[]): Format<V> {
  return format<V>(`one-of:${values.join('|')}`, (v) => {
    if (!values.includes(v as V)) throw new Error(`must be one of ${values.join(', ')}`);
  }, (raw) => {
    const n = Number(raw);
    return values.includes(n as V) ? n : raw;
  });
}

// --- names, topics, URLs ---

export const DEVICE_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
/** Topic segments with a fleet-wide meaning; a device may not take them as its id. */
export const RESERVED_IDS = ['all', 'group', 'coordinator'] as const;

/** Hostnames are the default device id; MQTT topic levels need a safe subset. */
export function sanitizeDeviceId(raw: string): string {
  const cleaned = raw.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64);
  if (cleaned === '' || (RESERVED_IDS as readonly string[]).includes(cleaned)) return `device-${cleaned || 'unnamed'}`;
  return cleaned;
}

export function defaultDeviceId(): string {
  return sanitizeDeviceId(hostname());
}

/** Throws unless `val` is a usable device id (also used for group names). */
export function assertDeviceId(val: unknown): void {
  if (typeof val !== 'string' || !DEVICE_ID_RE.test(val)) throw new Error('must be 1-64 characters of [A-Za-z0-9_-]');
  if ((RESERVED_IDS as readonly string[]).includes(val)) throw new Error(`"${val}" is reserved (${RESERVED_IDS.join(', ')})`);
}

export const deviceId = format<string>('device-id', assertDeviceId);

/** Comma-separated in env and flags. */
function toList(raw: string): string[] {
  return raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

export const groupList = format<string[]>('group-list', (v) => {
  if (!Array.isArray(v)) throw new Error('must be a list of group names');
  for (const g of v) assertDeviceId(g);
}, toList);

/** A list of device ids (comma-separated in env and flags). */
export const deviceIdList = format<string[]>('device-id-list', (v) => {
  if (!Array.isArray(v)) throw new Error('must be a list of device ids');
  for (const id of v) assertDeviceId(id);
}, toList);

const BROKER_SCHEMES = ['mqtt:', 'mqtts:', 'ws:', 'wss:'];
export const brokerUrl = format<string>('broker-url', (v) => {
  let url: URL;
  try {
    url = new URL(String(v));
  } catch {
    throw new Error('must be a URL such as mqtt://host:1883');
  }
  if (!BROKER_SCHEMES.includes(url.protocol)) throw new Error(`scheme must be one of ${BROKER_SCHEMES.map((s) => s.slice(0, -1)).join(', ')}`);
});

/** A topic prefix: no wildcards, no NUL, no leading or trailing "/". */
export const topicPrefix = format<string>('topic-prefix', (v) => {
  if (typeof v !== 'string' || v === '' || /[#+\u0000]/.test(v) || v.startsWith('/') || v.endsWith('/')) {
    throw new Error('must be a non-empty topic prefix without wildcards or leading/trailing "/"');
  }
});

export const port = intIn(1, 65535);

const POOL_URL = /^stratum\+(tcp|ssl|tls):\/\/[^/\s]+:\d+\/?$/;
export const poolList = format<string[]>('pool-list', (v) => {
  if (!Array.isArray(v)) throw new Error('must be a list of pool URLs');
  for (const p of v) {
    if (typeof p !== 'string' || !POOL_URL.test(p)) throw new Error(`"${String(p)}" is not stratum+tcp://host:port or stratum+ssl://host:port`);
  }
}, toList);

/**
 * A listening address: empty (off), `host:port`, `[v6]:port`, `:port` or
 * `port`; a bare port means loopback, so reaching it from other hosts takes an
 * explicit address. Null when empty; throws naming the accepted forms.
 */
export function parseListenAddress(raw: string): { host: string; port: number } | null {
  const v = raw.trim();
  if (v === '') return null;
  const m = /^(?:(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]*):)?(\d{1,5})$/.exec(v);
  if (!m) throw new Error(`"${raw}" is not host:port, :port or port`);
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw new Error(`port ${port} is outside 1-65535`);
  const host = m[1] ? m[1].replace(/^\[|\]$/g, '') : '127.0.0.1';
  return { host, port };
}

export const listenAddress = format<string>('listen-address', (v) => {
  if (typeof v !== 'string') throw new Error('must be host:port (empty: off)');
  parseListenAddress(v);
});

/**
 * `auto`, `off`, or a difficulty > 0. Env and flags deliver text, so a numeric
 * string becomes a number; `auto`/`off` stay words.
 */
export const suggestDifficulty = format<'auto' | 'off' | number>('suggest-difficulty', (v) => {
  if (v === 'auto' || v === 'off') return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > 1e15) throw new Error('must be "auto", "off" or a difficulty within (0, 1e15]');
}, toNumber);

/** Empty, or standard base64 of a 32-byte Ed25519 public key (what `hashling keygen` prints). */
export const ed25519PublicKey = format<string>('ed25519-public-key', (v) => {
  if (v === '') return;
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/]{43}=$/.test(v.trim())) {
    throw new Error('must be empty or the base64 of a 32-byte Ed25519 public key (see `hashling keygen`)');
  }
});

// --- money ---

/** A coin symbol; it is a topic level (<base>/market/<coin>/price), so a safe lowercase subset. */
export const coinSymbol = format<string>('coin-symbol', (v) => {
  if (typeof v !== 'string' || !/^[a-z0-9_-]{1,32}$/.test(v)) throw new Error('must be a lowercase coin symbol such as btc ([a-z0-9_-], it is a topic level)');
});

/** An ISO 4217 currency code. */
export const currencyCode = format<string>('currency-code', (v) => {
  if (typeof v !== 'string' || !/^[A-Z]{3}$/.test(v)) throw new Error('must be an ISO 4217 code such as USD or EUR');
});

// --- files ---

/**
 * Empty, or a file this process can read now. Checked at load, so a typo in a
 * CA or password path is a config error naming the key (exit 78), not an
 * endless reconnect loop later.
 */
export const readableFile = format<string>('readable-file', (v) => {
  if (v === '') return;
  if (typeof v !== 'string') throw new Error('must be a file path');
  try {
    if (!statSync(v).isFile()) throw new Error(`${v} is not a regular file`);
    accessSync(v, constants.R_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(code ? `cannot read ${v} (${code})` : (err as Error).message);
  }
});

/** Empty, or an absolute or relative directory path (created when first written). */
export const dirPath = format<string>('dir-path', (v) => {
  if (typeof v !== 'string' || v.includes('\u0000')) throw new Error('must be a directory path');
});

// --- structured values given as JSON in env ---

/**
 * A JSON value; `check` returns every problem of the parsed value (empty = valid).
 * An env/flag string that is not JSON stays a string, and validation then names
 * the key and the parse error (convict would otherwise walk a marker object).
 */
export function json<T>(name: string, check: (v: unknown) => string[]): Format<T> {
  return format<T>(name, (v) => {
    if (typeof v === 'string') {
      try {
        JSON.parse(v);
      } catch (err) {
        throw new Error(`not valid JSON (${(err as Error).message})`);
      }
      throw new Error('must be JSON, not a string');
    }
    const problems = check(v);
    if (problems.length > 0) throw new Error(problems.join('; '));
  }, (raw) => {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return raw;
    }
  });
}
