// Parsing JSON from the wire: the size is capped before JSON.parse (a 4 MB
// message must not cost a parse), and no key may be __proto__, constructor or
// prototype, at any depth, so a payload can never reach an object's prototype
// when it is merged or copied later. The one helper every input path uses.
import { HashlingError } from './errors.ts';

export const FORBIDDEN_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/** True when `k` is an own key of `obj` (never an inherited name such as toString). */
export function hasOwnKey(obj: object, k: string): boolean {
  return Object.hasOwn(obj, k);
}

/** Throws E_FORBIDDEN_KEY when `k` is a prototype-reaching key. */
export function assertSafeKey(k: string, where: string): void {
  if (FORBIDDEN_KEYS.includes(k)) throw new HashlingError('E_FORBIDDEN_KEY', `${where}: key "${k}" is not allowed`);
}

/**
 * Parses a payload of at most maxBytes. Throws E_TOO_LARGE, E_BAD_JSON or
 * E_FORBIDDEN_KEY with `what` in the message.
 */
export function parseWireJson(payload: Buffer | string, maxBytes: number, what: string): unknown {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  if (size > maxBytes) throw new HashlingError('E_TOO_LARGE', `${what} is ${size} bytes; at most ${maxBytes}`);
  const text = typeof payload === 'string' ? payload : payload.toString('utf8');
  let forbidden: string | null = null;
  let body: unknown;
  try {
    body = JSON.parse(text, (k, v: unknown) => {
      if (forbidden === null && FORBIDDEN_KEYS.includes(k)) forbidden = k;
      return v;
    });
  } catch {
    throw new HashlingError('E_BAD_JSON', `${what} is not JSON`);
  }
  if (forbidden !== null) throw new HashlingError('E_FORBIDDEN_KEY', `${what}: key "${forbidden}" is not allowed`);
  return body;
}

/** A plain JSON object (not null, not an array). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
