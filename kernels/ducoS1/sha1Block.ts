// One-block SHA-1 (FIPS 180-4 §6.1.2) cut to what DUCO-S1 needs. The message is the
// 40 hex characters of last_hash plus the decimal nonce: for nonces below 10^15 it is
// at most 55 bytes, so it pads into a single 64-byte block (§5.1.1) whose words
// W0..W9 (the hex prefix) never change within a unit.

export const SHA1_IV: Int32Array = Int32Array.from([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]);
/** Round constants per 20-round stage (FIPS 180-4 §4.2.1). */
export const SHA1_K: Int32Array = Int32Array.from([0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xca62c1d6]);

/** Nonces from here on need 16 digits, i.e. a second block; kernels hand them to a slow path. */
export const ONE_BLOCK_NONCE_LIMIT = 1e15;

/** Per-unit precomputation shared by the DUCO-S1 kernels. */
export interface DucoUnit {
  /** W0..W9: the big-endian words of last_hash's 40 ASCII characters. */
  readonly prefix: Int32Array;
  /** Working variables a..e after rounds 0..9, which read only W0..W9. */
  readonly state10: Int32Array;
  /** a_76 of a match: h4 = rotl30(a_76) + H4 lets the test run 4 rounds early. */
  readonly want76: number;
  /** The expected digest as five big-endian words. */
  readonly expected: Int32Array;
}

const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n));

export function prepareDucoUnit(lastHash: string, expectedHash: Uint8Array, k: Int32Array = SHA1_K): DucoUnit {
  const prefix = new Int32Array(10);
  for (let i = 0; i < 40; i++) prefix[i >> 2] |= lastHash.charCodeAt(i) << (24 - 8 * (i & 3));
  let a = SHA1_IV[0], b = SHA1_IV[1], c = SHA1_IV[2], d = SHA1_IV[3], e = SHA1_IV[4];
  for (let t = 0; t < 10; t++) {
    const tmp = (rotl(a, 5) + (d ^ (b & (c ^ d))) + e + k[0] + prefix[t]) | 0;
    e = d; d = c; c = rotl(b, 30); b = a; a = tmp;
  }
  const dv = new DataView(expectedHash.buffer, expectedHash.byteOffset, 20);
  const expected = new Int32Array(5);
  for (let i = 0; i < 5; i++) expected[i] = dv.getInt32(i * 4, false);
  const want76 = rotl((expected[4] - SHA1_IV[4]) | 0, 2); // rotr30 = rotl2
  return { prefix, state10: Int32Array.from([a, b, c, d, e]), want76, expected };
}

/**
 * Writes the ASCII digits of nonce (< 10^15), the 0x80 pad and the bit length into
 * w[10..15] (w[0..9] untouched). Returns the word index of the last digit; its
 * shift within that word is lastDigitShift(nonce).
 */
export function writeNonceWords(w: Int32Array, nonce: number): number {
  let digits = 1;
  for (let p = 10; p <= nonce; p *= 10) digits++;
  w.fill(0, 10, 16);
  const end = 40 + digits; // byte index of the 0x80 pad
  w[end >> 2] |= 0x80 << (24 - 8 * (end & 3));
  let n = nonce;
  for (let i = end - 1; i >= 40; i--) {
    const digit = n % 10;
    n = (n - digit) / 10;
    w[i >> 2] |= (0x30 + digit) << (24 - 8 * (i & 3));
  }
  w[15] = end * 8;
  return (end - 1) >> 2;
}

/** Shift of the last digit's byte in its big-endian word. */
export function lastDigitShift(nonce: number): number {
  let digits = 1;
  for (let p = 10; p <= nonce; p *= 10) digits++;
  return 24 - 8 * ((39 + digits) & 3);
}

/**
 * Rounds 10..79 from u.state10 over w[0..15] (w is used as the 80-word schedule).
 * True when the digest equals u.expected; the first test is on a_76 so a miss costs
 * 66 rounds, not 80.
 */
export function sha1Matches(u: DucoUnit, w: Int32Array, k: Int32Array): boolean {
  for (let t = 16; t < 76; t++) {
    const x = w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16];
    w[t] = (x << 1) | (x >>> 31);
  }
  const s = u.state10;
  let a = s[0], b = s[1], c = s[2], d = s[3], e = s[4];
  const k0 = k[0], k1 = k[1], k2 = k[2], k3 = k[3];
  for (let t = 10; t < 20; t++) {
    const tmp = (((a << 5) | (a >>> 27)) + (d ^ (b & (c ^ d))) + e + k0 + w[t]) | 0;
    e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = tmp;
  }
  for (let t = 20; t < 40; t++) {
    const tmp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + k1 + w[t]) | 0;
    e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = tmp;
  }
  for (let t = 40; t < 60; t++) {
    const tmp = (((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + e + k2 + w[t]) | 0;
    e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = tmp;
  }
  for (let t = 60; t < 76; t++) {
    const tmp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + k3 + w[t]) | 0;
    e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = tmp;
  }
  if (a !== u.want76) return false;
  for (let t = 76; t < 80; t++) {
    const x = w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16];
    w[t] = (x << 1) | (x >>> 31);
    const tmp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + k3 + w[t]) | 0;
    e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = tmp;
  }
  const x = u.expected;
  return ((a + SHA1_IV[0]) | 0) === x[0] && ((b + SHA1_IV[1]) | 0) === x[1] &&
    ((c + SHA1_IV[2]) | 0) === x[2] && ((d + SHA1_IV[3]) | 0) === x[3] && ((e + SHA1_IV[4]) | 0) === x[4];
}
