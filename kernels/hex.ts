// Small byte helpers shared by the kernels, tests and bench. Hex codecs come from
// @noble/hashes (already a dependency, audited, with labelled errors); only what it
// lacks is written here.
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

export { bytesToHex, hexToBytes };

/** A reversed copy: Bitcoin shows hashes in the reverse of their byte order. */
export function reverseBytes(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[bytes.length - 1 - i]!;
  return out;
}

/** Byte-reversed 32-bit word (little- <-> big-endian), as a uint32. */
export function byteSwap32(word: number): number {
  return (((word & 0xff) << 24) | ((word & 0xff00) << 8) | ((word >>> 8) & 0xff00) | (word >>> 24)) >>> 0;
}
