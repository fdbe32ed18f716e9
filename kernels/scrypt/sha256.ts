// SHA-256 compression on int32 words (FIPS 180-4 §6.2.2), the only primitive the
// scrypt PBKDF2 steps need. Callers keep midstates themselves: a unit's header
// blocks are compressed once and reused, so no streaming API is wanted here.
import { SHA256_IV as IV, SHA256_K as K } from '../sha256d/constants.ts';

/** Round constants K and H(0) (FIPS 180-4 §4.2.2, §5.3.3) as int32, from the shared table. */
export const SHA256_K: Int32Array = Int32Array.from(K);
export const SHA256_IV: Int32Array = Int32Array.from(IV);

/** Byte swap of one 32-bit word: SHA-256 reads big-endian, salsa20/8 little-endian. */
export function bswap32(x: number): number {
  return (x << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
}

/**
 * out = compress(state, block). w holds the 16 block words (big-endian values) in
 * w[0..15] and is used as the 64-word schedule, so its tail is overwritten. out may
 * be state. k is a parameter only so that tests can build a corrupted kernel.
 */
export function sha256Compress(out: Int32Array, state: Int32Array, w: Int32Array, k: Int32Array): void {
  for (let t = 16; t < 64; t++) {
    const x = w[t - 15];
    const y = w[t - 2];
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[t] = (s1 + w[t - 7] + s0 + w[t - 16]) | 0;
  }
  let a = state[0], b = state[1], c = state[2], d = state[3];
  let e = state[4], f = state[5], g = state[6], h = state[7];
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + (g ^ (e & (f ^ g))) + k[t] + w[t]) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) | (c & (a | b)))) | 0;
    h = g; g = f; f = e; e = (d + t1) | 0;
    d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  out[0] = (state[0] + a) | 0; out[1] = (state[1] + b) | 0;
  out[2] = (state[2] + c) | 0; out[3] = (state[3] + d) | 0;
  out[4] = (state[4] + e) | 0; out[5] = (state[5] + f) | 0;
  out[6] = (state[6] + g) | 0; out[7] = (state[7] + h) | 0;
}
