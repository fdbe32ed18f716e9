// Salsa20/8 core and scrypt's BlockMix/ROMix in plain JavaScript (RFC 7914 §3-§5).
// Everything runs on int32 locals over caller-owned Int32Arrays: no allocation per
// hash, so the JS kernel and the general KDF share exactly this code.

/**
 * d[di..di+15] = Salsa20/8(d[di..di+15] XOR s[si..si+15]) (RFC 7914 §3), words
 * little-endian as scrypt stores them. doubleRounds is 4 (= 8 rounds); a parameter
 * only so that tests can build a corrupted kernel.
 */
export function salsaXor(d: Int32Array, di: number, s: Int32Array, si: number, doubleRounds: number): void {
  const j0 = d[di] ^ s[si], j1 = d[di + 1] ^ s[si + 1], j2 = d[di + 2] ^ s[si + 2], j3 = d[di + 3] ^ s[si + 3];
  const j4 = d[di + 4] ^ s[si + 4], j5 = d[di + 5] ^ s[si + 5], j6 = d[di + 6] ^ s[si + 6], j7 = d[di + 7] ^ s[si + 7];
  const j8 = d[di + 8] ^ s[si + 8], j9 = d[di + 9] ^ s[si + 9], j10 = d[di + 10] ^ s[si + 10], j11 = d[di + 11] ^ s[si + 11];
  const j12 = d[di + 12] ^ s[si + 12], j13 = d[di + 13] ^ s[si + 13], j14 = d[di + 14] ^ s[si + 14], j15 = d[di + 15] ^ s[si + 15];
  let x0 = j0, x1 = j1, x2 = j2, x3 = j3, x4 = j4, x5 = j5, x6 = j6, x7 = j7;
  let x8 = j8, x9 = j9, x10 = j10, x11 = j11, x12 = j12, x13 = j13, x14 = j14, x15 = j15;
  let t = 0;
  for (let i = doubleRounds; i > 0; i--) {
    // Column round.
    t = (x0 + x12) | 0; x4 ^= (t << 7) | (t >>> 25);
    t = (x4 + x0) | 0; x8 ^= (t << 9) | (t >>> 23);
    t = (x8 + x4) | 0; x12 ^= (t << 13) | (t >>> 19);
    t = (x12 + x8) | 0; x0 ^= (t << 18) | (t >>> 14);
    t = (x5 + x1) | 0; x9 ^= (t << 7) | (t >>> 25);
    t = (x9 + x5) | 0; x13 ^= (t << 9) | (t >>> 23);
    t = (x13 + x9) | 0; x1 ^= (t << 13) | (t >>> 19);
    t = (x1 + x13) | 0; x5 ^= (t << 18) | (t >>> 14);
    t = (x10 + x6) | 0; x14 ^= (t << 7) | (t >>> 25);
    t = (x14 + x10) | 0; x2 ^= (t << 9) | (t >>> 23);
    t = (x2 + x14) | 0; x6 ^= (t << 13) | (t >>> 19);
    t = (x6 + x2) | 0; x10 ^= (t << 18) | (t >>> 14);
    t = (x15 + x11) | 0; x3 ^= (t << 7) | (t >>> 25);
    t = (x3 + x15) | 0; x7 ^= (t << 9) | (t >>> 23);
    t = (x7 + x3) | 0; x11 ^= (t << 13) | (t >>> 19);
    t = (x11 + x7) | 0; x15 ^= (t << 18) | (t >>> 14);
    // Row round.
    t = (x0 + x3) | 0; x1 ^= (t << 7) | (t >>> 25);
    t = (x1 + x0) | 0; x2 ^= (t << 9) | (t >>> 23);
    t = (x2 + x1) | 0; x3 ^= (t << 13) | (t >>> 19);
    t = (x3 + x2) | 0; x0 ^= (t << 18) | (t >>> 14);
    t = (x5 + x4) | 0; x6 ^= (t << 7) | (t >>> 25);
    t = (x6 + x5) | 0; x7 ^= (t << 9) | (t >>> 23);
    t = (x7 + x6) | 0; x4 ^= (t << 13) | (t >>> 19);
    t = (x4 + x7) | 0; x5 ^= (t << 18) | (t >>> 14);
    t = (x10 + x9) | 0; x11 ^= (t << 7) | (t >>> 25);
    t = (x11 + x10) | 0; x8 ^= (t << 9) | (t >>> 23);
    t = (x8 + x11) | 0; x9 ^= (t << 13) | (t >>> 19);
    t = (x9 + x8) | 0; x10 ^= (t << 18) | (t >>> 14);
    t = (x15 + x14) | 0; x12 ^= (t << 7) | (t >>> 25);
    t = (x12 + x15) | 0; x13 ^= (t << 9) | (t >>> 23);
    t = (x13 + x12) | 0; x14 ^= (t << 13) | (t >>> 19);
    t = (x14 + x13) | 0; x15 ^= (t << 18) | (t >>> 14);
  }
  d[di] = x0 + j0; d[di + 1] = x1 + j1; d[di + 2] = x2 + j2; d[di + 3] = x3 + j3;
  d[di + 4] = x4 + j4; d[di + 5] = x5 + j5; d[di + 6] = x6 + j6; d[di + 7] = x7 + j7;
  d[di + 8] = x8 + j8; d[di + 9] = x9 + j9; d[di + 10] = x10 + j10; d[di + 11] = x11 + j11;
  d[di + 12] = x12 + j12; d[di + 13] = x13 + j13; d[di + 14] = x14 + j14; d[di + 15] = x15 + j15;
}

/**
 * scryptROMix for r = 1 (RFC 7914 §5) on x[0..31] in place, with v (32·N words) as
 * scratch. For r = 1 BlockMix (§4) is two Salsa20/8 calls and needs no reordering.
 */
export function romixR1(x: Int32Array, v: Int32Array, n: number, doubleRounds: number): void {
  const mask = n - 1;
  for (let i = 0; i < n; i++) {
    v.set(x, i << 5);
    salsaXor(x, 0, x, 16, doubleRounds);
    salsaXor(x, 16, x, 0, doubleRounds);
  }
  for (let i = 0; i < n; i++) {
    // Integerify (§5): the first word of the last 64-byte block, mod N (a power of 2).
    const j = (x[16] & mask) << 5;
    for (let k = 0; k < 32; k++) x[k] ^= v[j + k];
    salsaXor(x, 0, x, 16, doubleRounds);
    salsaXor(x, 16, x, 0, doubleRounds);
  }
}
