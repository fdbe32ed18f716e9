// PBKDF2-HMAC-SHA256 with c = 1 (RFC 7914 §6 steps 1 and 3, RFC 2104, RFC 8018 §5.2)
// specialised for password = salt = one 80-byte block header, for the plain-JS kernel.
// Per unit, the first header block is compressed once (the HMAC key is SHA-256(header)
// because the header is longer than SHA-256's 64-byte block, RFC 2104 §2). Per nonce
// this leaves 16 compressions, ~10 µs in JS; the WebAssembly kernel does the same
// steps on four lanes inside romix.wat (~2 µs per nonce).
import { SHA256_IV, bswap32, sha256Compress } from './sha256.ts';

const IPAD = 0x36363636;
const OPAD = 0x5c5c5c5c;
/** Bit lengths in the final padded block (FIPS 180-4 §5.1.1). */
const KEY_BITS = 80 * 8; // SHA-256(header) for the HMAC key
const INNER1_BITS = (64 + 80 + 4) * 8; // ipad ‖ header ‖ INT(i)
const INNER3_BITS = (64 + 128 + 4) * 8; // ipad ‖ B' ‖ INT(1)
const OUTER_BITS = (64 + 32) * 8; // opad ‖ inner digest

export class HeaderHmac {
  /** Header words as SHA-256 reads them (big-endian); word 19 is the nonce slot. */
  private readonly hw = new Int32Array(20);
  private readonly keyMid = new Int32Array(8);
  private readonly w = new Int32Array(64);
  private readonly t = new Int32Array(8);
  /** Per-lane HMAC pad states: step 3 reuses the ones made in step 1. */
  private readonly ipads: Int32Array[] = [];
  private readonly opads: Int32Array[] = [];

  constructor(header: Uint8Array, private readonly k: Int32Array, lanes: number) {
    const dv = new DataView(header.buffer, header.byteOffset, 80);
    for (let i = 0; i < 20; i++) this.hw[i] = dv.getInt32(i * 4, false);
    this.w.set(this.hw.subarray(0, 16));
    sha256Compress(this.keyMid, SHA256_IV, this.w, k);
    for (let i = 0; i < lanes; i++) {
      this.ipads.push(new Int32Array(8));
      this.opads.push(new Int32Array(8));
    }
  }

  /**
   * Step 1: b[0..31] = PBKDF2(header‖nonce, header‖nonce, 1, 128) as the little-endian
   * words ROMix works on; the pad states are kept for finish(lane).
   */
  begin(nonce: number, lane: number, b: Int32Array): void {
    const { hw, w, t, k } = this;
    const nw = bswap32(nonce | 0); // nonce is little-endian at bytes 76..79
    // HMAC key = SHA-256(header): finish the second block from the unit midstate.
    w[0] = hw[16]; w[1] = hw[17]; w[2] = hw[18]; w[3] = nw; w[4] = 0x80000000 | 0;
    w.fill(0, 5, 15); w[15] = KEY_BITS;
    sha256Compress(t, this.keyMid, w, k);
    const ipad = this.ipads[lane];
    const opad = this.opads[lane];
    for (let i = 0; i < 8; i++) w[i] = t[i] ^ IPAD;
    w.fill(IPAD, 8, 16);
    sha256Compress(ipad, SHA256_IV, w, k);
    for (let i = 0; i < 8; i++) w[i] = t[i] ^ OPAD;
    w.fill(OPAD, 8, 16);
    sha256Compress(opad, SHA256_IV, w, k);
    // The first 64 salt bytes are the same for all four output blocks.
    const innerMid = this.t; // the key is no longer needed
    for (let i = 0; i < 16; i++) w[i] = hw[i];
    sha256Compress(innerMid, ipad, w, k);
    for (let i = 0; i < 4; i++) {
      w[0] = hw[16]; w[1] = hw[17]; w[2] = hw[18]; w[3] = nw; w[4] = i + 1; w[5] = 0x80000000 | 0;
      w.fill(0, 6, 15); w[15] = INNER1_BITS;
      sha256Compress(w, innerMid, w, k); // digest lands in w[0..7]
      w[8] = 0x80000000 | 0; w.fill(0, 9, 15); w[15] = OUTER_BITS;
      sha256Compress(w, opad, w, k);
      for (let j = 0; j < 8; j++) b[i * 8 + j] = bswap32(w[j]);
    }
  }

  /**
   * Step 3: out[0..7] = the PoW hash in display order (reversed digest) as big-endian
   * words, so out[0] is the most significant word compared against the target.
   */
  finish(lane: number, x: Int32Array, out: Int32Array): void {
    const { w, t, k } = this;
    const ipad = this.ipads[lane];
    const opad = this.opads[lane];
    for (let j = 0; j < 16; j++) w[j] = bswap32(x[j]);
    sha256Compress(t, ipad, w, k);
    for (let j = 0; j < 16; j++) w[j] = bswap32(x[16 + j]);
    sha256Compress(t, t, w, k);
    w[0] = 1; w[1] = 0x80000000 | 0; w.fill(0, 2, 15); w[15] = INNER3_BITS;
    sha256Compress(w, t, w, k);
    w[8] = 0x80000000 | 0; w.fill(0, 9, 15); w[15] = OUTER_BITS;
    sha256Compress(t, opad, w, k);
    for (let j = 0; j < 8; j++) out[j] = bswap32(t[7 - j]);
  }
}

/** Unsigned compare of two big-endian word strings: display hash <= target. */
export function wordsAtMost(hash: Int32Array, target: Int32Array): boolean {
  for (let i = 0; i < 8; i++) {
    const h = hash[i] >>> 0;
    const g = target[i] >>> 0;
    if (h !== g) return h < g;
  }
  return true;
}

/** The 32-byte big-endian target as words for wordsAtMost. */
export function targetWords(target: Uint8Array): Int32Array {
  const dv = new DataView(target.buffer, target.byteOffset, 32);
  const out = new Int32Array(8);
  for (let i = 0; i < 8; i++) out[i] = dv.getInt32(i * 4, false);
  return out;
}
