// The DUCO-S1 digest computed plainly with @noble/hashes: the reference for hashAt,
// the kernels' rare 16-digit nonces and the cross-checks.
import { sha1 } from '@noble/hashes/legacy.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';

/** SHA1(last_hash + decimal(nonce)) over ASCII, as the Duino-Coin miners compute it. */
export function ducoDigest(lastHash: string, nonce: number): Uint8Array {
  return sha1(utf8ToBytes(lastHash + String(nonce)));
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
