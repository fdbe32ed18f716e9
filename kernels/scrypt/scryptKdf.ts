// General scrypt (RFC 7914 §6) on the same Salsa20/8 core as the kernels. The
// kernels only run N=1024, r=1, p=1 over 80-byte headers; this general form exists so
// that the core can be checked against every RFC 7914 §12 vector (r = 8, p = 16 …).
import { pbkdf2 } from '@noble/hashes/pbkdf2.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { romixR1, salsaXor } from './salsa.ts';

/** BlockMix (RFC 7914 §4) of b (32·r words) at offset o, y as 32·r words of scratch. */
function blockMix(b: Int32Array, o: number, y: Int32Array, r: number): void {
  const x = y.subarray(32 * r); // 16 words after y's 32·r
  x.set(b.subarray(o + (2 * r - 1) * 16, o + 2 * r * 16));
  for (let i = 0; i < 2 * r; i++) {
    salsaXor(x, 0, b, o + i * 16, 4);
    // Y_i goes to B'[i/2] for even i and B'[r + (i-1)/2] for odd i.
    y.set(x.subarray(0, 16), ((i >> 1) + (i & 1) * r) * 16);
  }
  b.set(y.subarray(0, 32 * r), o);
}

/** scryptROMix (RFC 7914 §5) of b at offset o. */
function romix(b: Int32Array, o: number, r: number, n: number, v: Int32Array, y: Int32Array): void {
  const len = 32 * r;
  for (let i = 0; i < n; i++) {
    v.set(b.subarray(o, o + len), i * len);
    blockMix(b, o, y, r);
  }
  for (let i = 0; i < n; i++) {
    // Integerify: low 32 bits suffice because the vectors' N are below 2^32.
    const j = (b[o + (2 * r - 1) * 16] & (n - 1)) * len;
    for (let k = 0; k < len; k++) b[o + k] ^= v[j + k];
    blockMix(b, o, y, r);
  }
}

/** scrypt(P, S, N, r, p, dkLen) (RFC 7914 §6); PBKDF2 here is @noble/hashes'. */
export function scryptKdf(password: Uint8Array, salt: Uint8Array, n: number, r: number, p: number, dkLen: number): Uint8Array {
  const bytes = pbkdf2(sha256, password, salt, { c: 1, dkLen: p * 128 * r });
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const b = new Int32Array(bytes.length / 4);
  for (let i = 0; i < b.length; i++) b[i] = dv.getInt32(i * 4, true);
  const v = new Int32Array(32 * r * n);
  const y = new Int32Array(32 * r + 16);
  for (let i = 0; i < p; i++) {
    // r = 1 runs the kernels' own ROMix, so RFC 7914 vector 1 checks that code too.
    if (r === 1) {
      const x = b.subarray(i * 32, i * 32 + 32);
      romixR1(x, v, n, 4);
    } else romix(b, i * 32 * r, r, n, v, y);
  }
  for (let i = 0; i < b.length; i++) dv.setInt32(i * 4, b[i], true);
  return pbkdf2(sha256, password, bytes, { c: 1, dkLen });
}
