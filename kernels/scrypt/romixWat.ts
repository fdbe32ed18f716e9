// Generates romix.wat, the WebAssembly SIMD scrypt kernel: four nonces per call,
// lane-parallel (v128 value k holds word k of the four nonces), PBKDF2-HMAC-SHA256 and
// ROMix both inside the module. The Salsa20/8 part is unrolled text (16 words × 8
// quarter-round steps), so it is generated here rather than written by hand; the test
// test/kernels/scryptWasm.test.ts fails when romix.wat differs from this output.
//
// Regenerate: node --import tsx kernels/scrypt/romixWat.ts && npm run build:wasm:scrypt
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Byte offsets in the module's memory. Every value is a v128: one 32-bit word, 4 lanes. */
export const ROMIX_MEM = {
  /** X, the 32-word scrypt block B of each lane (word k at 16k), in/out of ROMix. */
  x: 0,
  /** V, 1024 blocks × 512 bytes in the same interleaved layout. */
  v: 1024,
  /** SHA-256 message schedule W[0..63]. */
  w: 525312,
  /** SHA-256 round constants K[0..63] (FIPS 180-4 §4.2.2), splatted by the caller. */
  k: 526336,
  /** Header words 0..19 as SHA-256 reads them (big-endian), splatted by the caller. */
  hw: 527360,
  /** SHA-256 state after the header's first 64 bytes, splatted by the caller. */
  keyMid: 527680,
  /** SHA-256 H(0) (FIPS 180-4 §5.3.3), splatted by the caller. */
  iv: 527808,
  /** HMAC inner and outer pad states (RFC 2104 §2), per lane. */
  ipad: 527936,
  opad: 528064,
  /** Inner state after the salt's first 64 bytes (step 1) and a scratch state. */
  innerMid: 528192,
  t: 528320,
  /** The four scrypt digests as SHA-256 state words (big-endian values). */
  out: 528448,
  /** The four nonces, as the header stores them (little-endian). */
  nonce: 528576,
  end: 528592,
} as const;

const PAGES = 9;
if (ROMIX_MEM.end > PAGES * 65536) throw new RangeError('romix.wat: memory layout exceeds its pages');
const N = 1024;
const M = ROMIX_MEM;
const BSWAP = '3 2 1 0 7 6 5 4 11 10 9 8 15 14 13 12';

/** Salsa20/8 quarter-round steps (RFC 7914 §3): x[a] ^= R(x[b] + x[c], r). */
const COLUMN_ROUND: [number, number, number, number][] = [
  [4, 0, 12, 7], [8, 4, 0, 9], [12, 8, 4, 13], [0, 12, 8, 18],
  [9, 5, 1, 7], [13, 9, 5, 9], [1, 13, 9, 13], [5, 1, 13, 18],
  [14, 10, 6, 7], [2, 14, 10, 9], [6, 2, 14, 13], [10, 6, 2, 18],
  [3, 15, 11, 7], [7, 3, 15, 9], [11, 7, 3, 13], [15, 11, 7, 18],
];
const ROW_ROUND: [number, number, number, number][] = [
  [1, 0, 3, 7], [2, 1, 0, 9], [3, 2, 1, 13], [0, 3, 2, 18],
  [6, 5, 4, 7], [7, 6, 5, 9], [4, 7, 6, 13], [5, 4, 7, 18],
  [11, 10, 9, 7], [8, 11, 10, 9], [9, 8, 11, 13], [10, 9, 8, 18],
  [12, 15, 14, 7], [13, 12, 15, 9], [14, 13, 12, 13], [15, 14, 13, 18],
];

const splat = (v: number | string): string => `(v128.const i32x4 ${v} ${v} ${v} ${v})`;
const rotr = (x: string, n: number): string =>
  `(v128.or (i32x4.shr_u (local.get ${x}) (i32.const ${n})) (i32x4.shl (local.get ${x}) (i32.const ${32 - n})))`;
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * $salsaXor, one Salsa20/8 core (see its WAT comment). Fusing both cores of a BlockMix
 * into one function, X0 passed on in registers, measured no faster (docs/performance.md).
 */
function salsaXor(): string[] {
  const out = [
    '  ;; Block at $d = Salsa20/8(block at $d XOR block at $s) (RFC 7914 §3) with $dr double',
    '  ;; rounds (4; a parameter only so tests can break it). The XORed input is kept at $d',
    '  ;; for the feed-forward: 16 words and a temporary exceed the 15 usable xmm registers.',
    '  (func $salsaXor (param $d i32) (param $s i32) (param $dr i32)',
    `    (local $t v128) ${range(16).map((i) => `(local $x${i} v128)`).join(' ')}`,
  ];
  for (const i of range(16)) {
    out.push(`    (local.set $x${i} (v128.xor (v128.load offset=${16 * i} (local.get $d)) (v128.load offset=${16 * i} (local.get $s))))`);
    out.push(`    (v128.store offset=${16 * i} (local.get $d) (local.get $x${i}))`);
  }
  out.push('    (loop $doubleRound');
  for (const round of [COLUMN_ROUND, ROW_ROUND]) {
    // Step s of the four independent quarter-rounds together.
    for (let s = 0; s < 4; s++) {
      for (let q = 0; q < 4; q++) {
        const [a, b, c, r] = round[q * 4 + s];
        out.push(`      (local.set $t (i32x4.add (local.get $x${b}) (local.get $x${c})))`);
        out.push(`      (local.set $x${a} (v128.xor (local.get $x${a}) (v128.or (i32x4.shl (local.get $t) (i32.const ${r})) (i32x4.shr_u (local.get $t) (i32.const ${32 - r})))))`);
      }
    }
  }
  out.push('      (br_if $doubleRound (local.tee $dr (i32.sub (local.get $dr) (i32.const 1)))))');
  for (const i of range(16)) {
    out.push(`    (v128.store offset=${16 * i} (local.get $d) (i32x4.add (local.get $x${i}) (v128.load offset=${16 * i} (local.get $d))))`);
  }
  out.push('  )');
  return out;
}

/** ROMix (RFC 7914 §5) for r = 1, where BlockMix (§4) is two Salsa20/8 calls in place. */
function romix(): string[] {
  const blockMix = [
    `      (call $salsaXor (i32.const ${M.x}) (i32.const ${M.x + 256}) (local.get $dr))`,
    `      (call $salsaXor (i32.const ${M.x + 256}) (i32.const ${M.x}) (local.get $dr))`,
  ];
  // Word k of lane L's V_j is at V + 512·j + 16k + 4L: the four lanes' j differ, so each
  // word is four 32-bit lane loads (replacing them with one v128 load measured no faster).
  const gather = (o: number): string =>
    `(v128.load32_lane offset=${o} 3 (local.get $a3) (v128.load32_lane offset=${o} 2 (local.get $a2) ` +
    `(v128.load32_lane offset=${o} 1 (local.get $a1) (v128.load32_zero offset=${o} (local.get $a0)))))`;
  return [
    '  ;; ROMix in place on X with $dr Salsa double rounds (4 for scrypt).',
    '  (func $romix4 (export "romix4") (param $dr i32)',
    '    (local $v i32) (local $i i32) (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32)',
    '    ;; Steps 2-3: V_i = X; X = BlockMix(X).',
    `    (local.set $v (i32.const ${M.v}))`,
    '    (loop $fill',
    ...range(32).map((k) => `      (v128.store offset=${16 * k} (local.get $v) (v128.load offset=${M.x + 16 * k} (i32.const 0)))`),
    ...blockMix,
    `      (br_if $fill (i32.lt_u (local.tee $v (i32.add (local.get $v) (i32.const 512))) (i32.const ${M.v + 512 * N}))))`,
    '    ;; Steps 6-8: j = Integerify(X) mod N per lane (the first word of the last 64-byte',
    '    ;; block, X word 16); X = BlockMix(X XOR V_j).',
    `    (local.set $i (i32.const ${N}))`,
    '    (loop $mix',
    ...range(4).map((l) => `      (local.set $a${l} (i32.add (i32.shl (i32.and (i32.load offset=${M.x + 256 + 4 * l} (i32.const 0)) (i32.const ${N - 1})) (i32.const 9)) (i32.const ${M.v + 4 * l})))`),
    ...range(32).map((k) => `      (v128.store offset=${M.x + 16 * k} (i32.const 0) (v128.xor (v128.load offset=${M.x + 16 * k} (i32.const 0)) ${gather(16 * k)}))`),
    ...blockMix,
    '      (br_if $mix (local.tee $i (i32.sub (local.get $i) (i32.const 1))))))',
  ];
}

function sha256(): string {
  return `  ;; state at $out = compress(state at $st, W[0..15]) (FIPS 180-4 §6.2.2); W[16..63]
  ;; are overwritten. $out may be $st. Loops, not unrolled: PBKDF2 is 16 compressions
  ;; per nonce, ~2 µs of the ~110 µs (measured scrypt4 against romix4).
  (func $compress (param $out i32) (param $st i32)
    (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    (local $e v128) (local $f v128) (local $g v128) (local $h v128)
    (local $x v128) (local $y v128) (local $i i32)
    ;; W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16], $i = address of W[t-16].
    (local.set $i (i32.const ${M.w}))
    (loop $schedule
      (local.set $x (v128.load offset=16 (local.get $i)))
      (local.set $y (v128.load offset=224 (local.get $i)))
      (v128.store offset=256 (local.get $i) (i32x4.add
        (i32x4.add (v128.xor (v128.xor ${rotr('$y', 17)} ${rotr('$y', 19)}) (i32x4.shr_u (local.get $y) (i32.const 10)))
                   (v128.load offset=144 (local.get $i)))
        (i32x4.add (v128.xor (v128.xor ${rotr('$x', 7)} ${rotr('$x', 18)}) (i32x4.shr_u (local.get $x) (i32.const 3)))
                   (v128.load offset=0 (local.get $i)))))
      (br_if $schedule (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (i32.const ${M.w + 48 * 16}))))
${'abcdefgh'.split('').map((r, i) => `    (local.set $${r} (v128.load offset=${16 * i} (local.get $st)))`).join('\n')}
    ;; $i = 16·t; T1 in $x, T2 in $y.
    (local.set $i (i32.const 0))
    (loop $round
      (local.set $x (i32x4.add
        (i32x4.add (local.get $h) (v128.xor (v128.xor ${rotr('$e', 6)} ${rotr('$e', 11)}) ${rotr('$e', 25)}))
        (i32x4.add (v128.bitselect (local.get $f) (local.get $g) (local.get $e))
          (i32x4.add (v128.load offset=${M.k} (local.get $i)) (v128.load offset=${M.w} (local.get $i))))))
      ;; Maj(a, b, c) is c where a and b differ, else a.
      (local.set $y (i32x4.add (v128.xor (v128.xor ${rotr('$a', 2)} ${rotr('$a', 13)}) ${rotr('$a', 22)})
        (v128.bitselect (local.get $c) (local.get $a) (v128.xor (local.get $a) (local.get $b)))))
      (local.set $h (local.get $g))
      (local.set $g (local.get $f))
      (local.set $f (local.get $e))
      (local.set $e (i32x4.add (local.get $d) (local.get $x)))
      (local.set $d (local.get $c))
      (local.set $c (local.get $b))
      (local.set $b (local.get $a))
      (local.set $a (i32x4.add (local.get $x) (local.get $y)))
      (br_if $round (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (i32.const 1024))))
${'abcdefgh'.split('').map((r, i) => `    (v128.store offset=${16 * i} (local.get $out) (i32x4.add (local.get $${r}) (v128.load offset=${16 * i} (local.get $st))))`).join('\n')}
  )

  ;; W[$from..15] = 0 (the zero words of a padded final block).
  (func $zeroW (param $from i32)
    (local.set $from (i32.add (i32.shl (local.get $from) (i32.const 4)) (i32.const ${M.w})))
    (loop $zero
      (v128.store (local.get $from) (v128.const i64x2 0 0))
      (br_if $zero (i32.lt_u (local.tee $from (i32.add (local.get $from) (i32.const 16))) (i32.const ${M.w + 256})))))

  ;; W[0..7] = state at $st XOR $pad, W[8..15] = $pad: an HMAC pad block (RFC 2104 §2).
  (func $padW (param $st i32) (param $pad v128)
    (local $i i32)
    (loop $key
      (v128.store offset=${M.w} (local.get $i) (v128.xor (v128.load (i32.add (local.get $st) (local.get $i))) (local.get $pad)))
      (v128.store offset=${M.w + 128} (local.get $i) (local.get $pad))
      (br_if $key (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (i32.const 128)))))

  ;; W = T ‖ padding of a 96-byte message (64-byte pad block + 32-byte digest, FIPS
  ;; 180-4 §5.1.1), then state at $out = compress(OPAD, W): the outer HMAC hash.
  (func $outer (param $out i32)
    (local $i i32)
    (loop $copy
      (v128.store offset=${M.w} (local.get $i) (v128.load offset=${M.t} (local.get $i)))
      (br_if $copy (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (i32.const 128))))
    (v128.store offset=${M.w + 8 * 16} (i32.const 0) ${splat('0x80000000')})
    (call $zeroW (i32.const 9))
    (v128.store offset=${M.w + 15 * 16} (i32.const 0) ${splat((64 + 32) * 8)})
    (call $compress (local.get $out) (i32.const ${M.opad})))

  ;; W[0..2] = header words 16..18, W[3] = the lanes' nonces as SHA-256 reads them.
  (func $headerTailW
    (v128.store offset=${M.w} (i32.const 0) (v128.load offset=${M.hw + 16 * 16} (i32.const 0)))
    (v128.store offset=${M.w + 16} (i32.const 0) (v128.load offset=${M.hw + 17 * 16} (i32.const 0)))
    (v128.store offset=${M.w + 32} (i32.const 0) (v128.load offset=${M.hw + 18 * 16} (i32.const 0)))
    (v128.store offset=${M.w + 48} (i32.const 0) (i8x16.shuffle ${BSWAP} (v128.load offset=${M.nonce} (i32.const 0)) (v128.const i64x2 0 0))))`;
}

function scrypt4(): string {
  const toX = range(8).map((w) =>
    `      (v128.store offset=${16 * w} (local.get $j) (i8x16.shuffle ${BSWAP} (v128.load offset=${M.t + 16 * w} (i32.const 0)) (v128.const i64x2 0 0)))`);
  return `  ;; scrypt(P, P, N=1024, r=1, p=1, dkLen=32) per lane (RFC 7914 §6), P = the header
  ;; with the lane's nonce (NONCE + 4L). HMAC key = SHA-256(P) (RFC 2104 §2: keys over
  ;; 64 bytes are hashed), whose first block the caller compressed into KEYMID. Leaves
  ;; the digests at OUT. $dr is 4 unless a test breaks the kernel.
  (func (export "scrypt4") (param $dr i32)
    (local $i i32) (local $j i32)
    ;; Step 1, B = PBKDF2-HMAC-SHA256(P, P, 1, 128) (RFC 8018 §5.2). The key's last block:
    (call $headerTailW)
    (v128.store offset=${M.w + 4 * 16} (i32.const 0) ${splat('0x80000000')})
    (call $zeroW (i32.const 5))
    (v128.store offset=${M.w + 15 * 16} (i32.const 0) ${splat(80 * 8)})
    (call $compress (i32.const ${M.t}) (i32.const ${M.keyMid}))
    (call $padW (i32.const ${M.t}) ${splat('0x36363636')})
    (call $compress (i32.const ${M.ipad}) (i32.const ${M.iv}))
    (call $padW (i32.const ${M.t}) ${splat('0x5c5c5c5c')})
    (call $compress (i32.const ${M.opad}) (i32.const ${M.iv}))
    ;; The salt's first 64 bytes are the same in the four blocks S ‖ INT(1..4).
    (loop $salt
      (v128.store offset=${M.w} (local.get $i) (v128.load offset=${M.hw} (local.get $i)))
      (br_if $salt (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (i32.const 256))))
    (call $compress (i32.const ${M.innerMid}) (i32.const ${M.ipad}))
    ;; $i = block number (1..4), $j = byte offset of its 8 words in X.
    (local.set $i (i32.const 1))
    (local.set $j (i32.const ${M.x}))
    (loop $block
      (call $headerTailW)
      (v128.store offset=${M.w + 4 * 16} (i32.const 0) (i32x4.splat (local.get $i)))
      (v128.store offset=${M.w + 5 * 16} (i32.const 0) ${splat('0x80000000')})
      (call $zeroW (i32.const 6))
      (v128.store offset=${M.w + 15 * 16} (i32.const 0) ${splat((64 + 80 + 4) * 8)})
      (call $compress (i32.const ${M.t}) (i32.const ${M.innerMid}))
      (call $outer (i32.const ${M.t}))
      ;; ROMix works on little-endian words.
${toX.join('\n')}
      (local.set $j (i32.add (local.get $j) (i32.const 128)))
      (br_if $block (i32.le_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 4))))
    ;; Step 2.
    (call $romix4 (local.get $dr))
    ;; Step 3, DK = PBKDF2-HMAC-SHA256(P, B', 1, 32): the salt B' is two blocks, then INT(1).
    (local.set $i (i32.const 0))
    (loop $salt1
      (v128.store offset=${M.w} (local.get $i) (i8x16.shuffle ${BSWAP} (v128.load offset=${M.x} (local.get $i)) (v128.const i64x2 0 0)))
      (br_if $salt1 (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (i32.const 256))))
    (call $compress (i32.const ${M.t}) (i32.const ${M.ipad}))
    (local.set $i (i32.const 0))
    (loop $salt2
      (v128.store offset=${M.w} (local.get $i) (i8x16.shuffle ${BSWAP} (v128.load offset=${M.x + 256} (local.get $i)) (v128.const i64x2 0 0)))
      (br_if $salt2 (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (i32.const 256))))
    (call $compress (i32.const ${M.t}) (i32.const ${M.t}))
    (v128.store offset=${M.w} (i32.const 0) ${splat(1)})
    (v128.store offset=${M.w + 16} (i32.const 0) ${splat('0x80000000')})
    (call $zeroW (i32.const 2))
    (v128.store offset=${M.w + 15 * 16} (i32.const 0) ${splat((64 + 128 + 4) * 8)})
    (call $compress (i32.const ${M.t}) (i32.const ${M.t}))
    (call $outer (i32.const ${M.out})))`;
}

export function generateRomixWat(): string {
  const layout = Object.entries(ROMIX_MEM).filter(([name]) => name !== 'end')
    .map(([name, at]) => `;;   ${String(at).padStart(6)}  ${name}`).join('\n');
  return `;; GENERATED by kernels/scrypt/romixWat.ts; edit that file, then
;;   node --import tsx kernels/scrypt/romixWat.ts && npm run build:wasm:scrypt
;;
;; scrypt (RFC 7914, N = 1024, r = 1, p = 1, dkLen = 32, password = salt = the 80-byte
;; header) for four nonces per call, lane-parallel: v128 value k holds word k of the
;; four nonces' blocks, so Salsa20/8 (§3) and SHA-256 run unchanged on i32x4 values
;; with no shuffles: 160 vector ops per double round for four nonces, against 184 for
;; the SSE2 layout (one nonce's four columns per vector, 6 shuffles per double round),
;; which measured no faster here with 2, 3 or 4 nonces interleaved. The price is the
;; per-lane gather in ROMix's second loop. One instance per worker thread.
;;
;; Memory (byte offsets, see ROMIX_MEM):
${layout}
(module
  (memory (export "memory") ${PAGES})

${salsaXor().join('\n')}

${romix().join('\n')}

${sha256()}

${scrypt4()}
)
`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(new URL('./romix.wat', import.meta.url), generateRomixWat());
}
