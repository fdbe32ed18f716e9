// Seeded generator of hostile payloads for the work and cmd topics: random
// bytes, random JSON, mutated valid units and commands, deep nesting, huge and
// odd numbers, prototype-pollution keys. Deterministic per seed so a failure
// can be replayed.
import { seededRandom } from '../../agent/control/thermalPlant.ts';

export interface FuzzCase {
  /** Topic leaf under <base>/<id>/: "work" or "cmd/<verb>". */
  leaf: string;
  payload: Buffer;
  kind: string;
}

/** The simulator's seeded PRNG (mulberry32): small, fast, good enough to pick mutations. */
export const prng = seededRandom;

// Verbs a fuzzer may hit. Left out on purpose: `restart` (exits by design),
// `bench` and `selftest` (seconds of CPU each; their argument parsing is shared).
export const FUZZ_VERBS = ['ping', 'pause', 'resume', 'config/get', 'config/set', 'budget/set', 'threads/set', 'identify', 'nope', 'x/y'];

const ODD_NUMBERS = ['1e400', '-1e400', '-0', '9007199254740993', '4294967296', '-1', '0.5', '1e-400', '123456789012345678901234567890', 'NaN', 'Infinity'];
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

function hex(r: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(r() * 16)];
  return s;
}

function randomJson(r: () => number, depth: number): unknown {
  const k = Math.floor(r() * (depth > 3 ? 5 : 8));
  switch (k) {
    case 0: return null;
    case 1: return r() < 0.5;
    case 2: return Math.floor(r() * 2 ** 33) * (r() < 0.5 ? -1 : 1);
    case 3: return hex(r, Math.floor(r() * 80));
    case 4: return r() * 1e6;
    case 5: return Array.from({ length: Math.floor(r() * 5) }, () => randomJson(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(r() * 5); i > 0; i--) o[r() < 0.1 ? pick(r, PROTO_KEYS) : hex(r, 4)] = randomJson(r, depth + 1);
      return o;
    }
  }
}

function validUnit(r: () => number, n: number): Record<string, unknown> {
  const start = Math.floor(r() * 1000);
  return {
    v: 1, unit_id: `fz-${n}`, job_id: `fj-${n % 7}`, algo: pick(r, ['sha256d', 'sha256d', 'scrypt', 'duco-s1']), header: hex(r, 160),
    nonce_start: start, nonce_end: start + Math.floor(r() * 20_000), target: `00${hex(r, 62)}`, expires_at: Date.now() + 3000, clean: r() < 0.1,
  };
}

function validCommand(r: () => number, verb: string, n: number): Record<string, unknown> {
  const args: Record<string, Record<string, unknown>> = {
    'config/set': { config: { telemetry: { interval_s: 5 + Math.floor(r() * 10) } } },
    'budget/set': { max_cpu_percent: 10 + Math.floor(r() * 20) },
    'threads/set': { threads: 1 },
  };
  return { v: 1, transaction: `t${n}`, ...(args[verb] ?? {}) };
}

/** Replaces, deletes or adds keys; JSON text is then edited for what objects cannot hold. */
function mutate(r: () => number, o: Record<string, unknown>): string {
  const keys = Object.keys(o);
  for (let m = 1 + Math.floor(r() * 3); m > 0; m--) {
    const k = keys.length > 0 && r() < 0.8 ? pick(r, keys) : pick(r, [...PROTO_KEYS, 'v', 'algo', 'unit_id']);
    const how = Math.floor(r() * 4);
    if (how === 0) delete o[k];
    else if (how === 1) o[k] = randomJson(r, 2);
    else if (how === 2) o[k] = hex(r, Math.floor(r() * 300));
    else o[k] = `__ODD__${pick(r, ODD_NUMBERS)}`;
  }
  let text = JSON.stringify(o).replace(/"__ODD__([^"]*)"/g, '$1');
  if (r() < 0.15) text = text.replace('{', `{"${pick(r, PROTO_KEYS)}":{"polluted":true,"v":1},`);
  return text;
}

export function fuzzCase(r: () => number, n: number): FuzzCase {
  const toWork = r() < 0.6;
  const verb = pick(r, FUZZ_VERBS);
  const leaf = toWork ? 'work' : `cmd/${verb}`;
  const k = Math.floor(r() * 10);
  let payload: string | Buffer;
  let kind: string;
  if (k === 0) {
    kind = 'random-bytes';
    const len = r() < 0.02 ? 70 * 1024 : Math.floor(r() * 300);
    payload = Buffer.from(Array.from({ length: len }, () => Math.floor(r() * 256)));
  } else if (k === 1) {
    kind = 'random-json';
    payload = JSON.stringify(randomJson(r, 0));
  } else if (k === 2) {
    kind = 'deep-nesting';
    const depth = pick(r, [100, 1000, 5000, 20_000]);
    const open = r() < 0.5 ? '[' : '{"a":';
    const close = open === '[' ? ']' : '}';
    payload = open.repeat(depth) + '1' + close.repeat(depth);
  } else if (k === 3 && toWork) {
    kind = 'unit-array';
    const len = pick(r, [0, 1, 3, 64, 65]);
    payload = `[${Array.from({ length: len }, (_, i) => (r() < 0.7 ? JSON.stringify(validUnit(r, n * 100 + i)) : mutate(r, validUnit(r, n * 100 + i)))).join(',')}]`;
  } else if (k <= 5) {
    kind = 'valid';
    payload = JSON.stringify(toWork ? validUnit(r, n) : validCommand(r, verb, n));
  } else {
    kind = 'mutated';
    payload = mutate(r, toWork ? validUnit(r, n) : validCommand(r, verb, n));
  }
  return { leaf, payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload), kind };
}
