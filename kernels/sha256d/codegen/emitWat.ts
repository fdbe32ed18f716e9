// Emits the WebAssembly SIMD sha256d kernel (WAT) as compact loops.
//
// Why loops and not the fully unrolled, constant-folded form that the JS kernel
// uses: the unrolled SIMD pass was ~8000 instructions (~40 KB of machine code per
// 4 nonces), larger than the 32 KB L1 instruction cache and far beyond the 4 K-op
// op cache of this Zen 3 core, and it measured 3.8-4.1 M hashes/s. The same work as
// 8-round loop bodies stays in the op cache (see docs/performance.md for figures).
//
// Each i32x4 lane hashes its own nonce (4 nonces per pass and stream). Layout and
// steps follow FIPS 180-4 §6.2.2; per unit, prepare computes the midstate, W0..W17
// of block 2 (W16/W17 do not involve the nonce word W3) and the state after
// rounds 0..2 (which do not read W3); per pass only W3, W18..W63, rounds 3..63, and
// hash 2 up to round 60 (H7 is tested first, rounds 61..63 cannot change it) remain.

const BSWAP = '3 2 1 0 7 6 5 4 11 10 9 8 15 14 13 12';
const V = 16; // bytes per v128

export interface WatKernelOptions {
  k: readonly number[];
  iv: readonly number[];
  /** Independent nonce vectors interleaved per pass. */
  streams: number;
}

function hexBytes(words: Int32Array): string {
  return [...new Uint8Array(words.buffer)].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('');
}

export function emitWatKernel(opt: WatKernelOptions, banner: string): string {
  const { k, iv, streams } = opt;
  const lanes = 4 * streams;
  // Memory map (bytes). Constants first (data segment), then the unit area that a
  // scanner saves and restores, then per-pass scratch.
  const K = 0;
  const IV = K + 64 * V;
  const LANE = IV + 8 * V;
  const PAD2 = LANE + streams * V; // W8..W15 of hash 2: 0x80000000, zeros, 256 (§5.1.1)
  const UNIT = PAD2 + 8 * V;
  const MID = UNIT;
  const ST3 = MID + 8 * V;
  const T0 = ST3 + 8 * V;
  const W1 = T0 + V; // block 2 of hash 1, one 64-word array per stream
  const unitBytes = W1 + 18 * V - UNIT; // words 0..17 are per unit
  const W2 = W1 + streams * 64 * V; // hash 2 schedule per stream
  const WH = W2 + streams * 64 * V; // header block 1, splatted, for prepare
  const OUT = WH + 64 * V;
  const IN = OUT + streams * V; // 19 header words + the target word, written by JS
  const MEM_END = IN + 20 * 4;
  if (MEM_END > 65536) throw new Error('layout exceeds one page');

  const data = new Int32Array((UNIT - K) / 4);
  k.forEach((x, t) => data.fill(x | 0, (K + t * V) / 4, (K + t * V + V) / 4));
  iv.forEach((x, i) => data.fill(x | 0, (IV + i * V) / 4, (IV + i * V + V) / 4));
  for (let l = 0; l < lanes; l++) data[LANE / 4 + l] = l;
  const pad2 = [0x80000000, 0, 0, 0, 0, 0, 0, 256];
  pad2.forEach((x, i) => data.fill(x | 0, (PAD2 + i * V) / 4, (PAD2 + i * V + V) / 4));

  const ld = (addr: number, ptr = '(i32.const 0)'): string => `(v128.load offset=${addr} ${ptr})`;
  const st = (addr: number, val: string, ptr = '(i32.const 0)'): string => `(v128.store offset=${addr} ${ptr} ${val})`;
  const get = (x: string): string => `(local.get ${x})`;
  const set = (x: string, v: string): string => `(local.set ${x} ${v})`;
  const add = (...xs: string[]): string => xs.reduce((p, q) => `(i32x4.add ${p} ${q})`);
  const xor = (...xs: string[]): string => xs.reduce((p, q) => `(v128.xor ${p} ${q})`);
  const and = (p: string, q: string): string => `(v128.and ${p} ${q})`;
  const shr = (x: string, n: number): string => `(i32x4.shr_u ${x} (i32.const ${n}))`;
  // No rotate in wasm SIMD: two shifts and an OR. (Left shifts as i32x4.mul by 2^n,
  // to move work off the shift pipes, measured 5-15 % slower.)
  const rotr = (x: string, n: number): string => `(v128.or ${shr(x, n)} (i32x4.shl ${x} (i32.const ${32 - n})))`;

  const vars = (s: number): string[] => 'abcdefgh'.split('').map((c) => `$s${s}${c}`);

  /** One round (§6.2.2 step 3) at W/K offset `off` from pointer `ptr`, variables rotated by r. */
  const round = (s: number, r: number, wBase: number, off: number, ptr: string, full = true): string[] => {
    const S = vars(s);
    const x = (j: number): string => S[(j - r + 8) % 8]!;
    // c is only read through bc (= b ^ c carried from the previous round's a ^ b).
    const [a, b, d, e, f, g, h] = [0, 1, 3, 4, 5, 6, 7].map(x) as [string, string, string, string, string, string, string];
    const t1 = `$s${s}t1`, ab = `$s${s}ab`, bc = `$s${s}bc`;
    const out = [
      // T1 = h + Σ1(e) + Ch(e,f,g) + K_t + W_t; Ch = ((f ^ g) & e) ^ g needs no NOT.
      set(t1, add(get(h), ld(K + off, ptr), ld(wBase + off, ptr),
        xor(and(xor(get(f), get(g)), get(e)), get(g)),
        xor(rotr(get(e), 6), rotr(get(e), 11), rotr(get(e), 25)))),
      set(d, add(get(d), get(t1))),
    ];
    if (full) {
      // Maj = ((a ^ b) & (b ^ c)) ^ b, and a ^ b is the next round's b ^ c.
      // Σ0(a) = ROTR2(a ^ ROTR11(a ^ ROTR9(a))): same op count as three rotations
      // XORed, fewer live temporaries; measured ~8 % faster here (spills), while
      // the same nesting on Σ1 (the e-chain, the round's critical path) gained nothing more.
      out.push(set(ab, xor(get(a), get(b))),
        set(h, add(get(t1), rotr(xor(get(a), rotr(xor(get(a), rotr(get(a), 9)), 11)), 2), xor(and(get(ab), get(bc)), get(b)))),
        set(bc, get(ab)));
    }
    return out;
  };

  /** W_t = σ1(W_t-2) + W_t-7 + σ0(W_t-15) + W_t-16 (§6.2.2 step 1) at pointer ptr = 16 t. */
  const schedule = (s: number, wBase: number, ptr: string): string[] => {
    const w = (back: number): string => ld(wBase - back * V, ptr);
    const x2 = `$s${s}x2`, x15 = `$s${s}x15`;
    return [
      set(x2, w(2)),
      set(x15, w(15)),
      st(wBase, add(w(16), xor(rotr(get(x15), 7), rotr(get(x15), 18), shr(get(x15), 3)), w(7),
        xor(rotr(get(x2), 17), rotr(get(x2), 19), shr(get(x2), 10))), ptr),
    ];
  };

  const zip = (parts: string[][]): string[] => {
    const out: string[] = [];
    for (let i = 0; i < parts[0]!.length; i++) for (const p of parts) out.push(p[i]!);
    return out;
  };
  const perStream = (f: (s: number) => string[], only?: number): string[] =>
    only === undefined ? zip(Array.from({ length: streams }, (_, s) => f(s))) : f(only);

  /** A loop computing W[from..to) for every stream (or one). */
  const scheduleLoop = (wBase: (s: number) => number, from: number, to: number, only?: number): string[] => [
    set('$p', `(i32.const ${from * V})`),
    '(loop $sched',
    ...perStream((s) => schedule(s, wBase(s), get('$p')), only).map((l) => `  ${l}`),
    `  ${set('$p', `(i32.add ${get('$p')} (i32.const ${V}))`)}`,
    `  (br_if $sched (i32.lt_u ${get('$p')} (i32.const ${to * V}))))`,
  ];

  /** Rounds from..from+8n-1 as a loop of 8-round bodies (variables come back to their names). */
  const roundLoop = (wBase: (s: number) => number, from: number, n: number, only?: number): string[] => {
    const body: string[] = [];
    for (let r = 0; r < 8; r++) body.push(...perStream((s) => round(s, r, wBase(s), r * V, get('$p')), only));
    return [
      set('$p', `(i32.const ${from * V})`),
      '(loop $rounds',
      ...body.map((l) => `  ${l}`),
      `  ${set('$p', `(i32.add ${get('$p')} (i32.const ${8 * V}))`)}`,
      `  (br_if $rounds (i32.lt_u ${get('$p')} (i32.const ${(from + 8 * n) * V}))))`,
    ];
  };

  /** Straight rounds from..to-1 continuing the rotation r0 of a preceding loop. */
  const roundsTail = (wBase: (s: number) => number, from: number, to: number, r0: number, fullUntil = to, only?: number): string[] => {
    const out: string[] = [];
    for (let t = from; t < to; t++) out.push(...perStream((s) => round(s, (r0 + t - from) % 8, wBase(s), t * V, '(i32.const 0)', t < fullUntil), only));
    return out;
  };
  const loadState = (s: number, base: number): string[] => [
    ...vars(s).map((v, i) => set(v, ld(base + i * V))),
    set(`$s${s}bc`, xor(get(vars(s)[1]!), get(vars(s)[2]!))),
  ];
  /** The variable holding state word j after rounds with total rotation r. */
  const stateVar = (s: number, j: number, r: number): string => vars(s)[(j - r + 8 * 8) % 8]!;

  const locals = ['(local $p i32)'];
  for (let s = 0; s < streams; s++) {
    locals.push([...vars(s), `$s${s}t1`, `$s${s}ab`, `$s${s}bc`, `$s${s}x2`, `$s${s}x15`, `$s${s}n`].map((v) => `(local ${v} v128)`).join(' '));
  }

  const out: string[] = [banner, '(module', '  (memory (export "memory") 1)'];
  const layout: Record<string, number> = { inBase: IN, unitBase: UNIT, unitBytes, outBase: OUT, lanes };
  for (const [name, v] of Object.entries(layout)) out.push(`  (global (export "${name}") i32 (i32.const ${v}))`);
  out.push(`  (data (i32.const ${K}) "${hexBytes(data)}")`);

  // prepare: header words 0..18 and the target word at IN (JS writes them) -> unit area.
  // Runs the same SIMD rounds on splatted words, so it uses the module's own constants.
  const ind = (ls: string[], n: number): string[] => ls.map((l) => ' '.repeat(n) + l);
  const prep: string[] = [];
  for (let i = 0; i < 16; i++) prep.push(st(WH + i * V, `(v128.load32_splat offset=${IN + 4 * i} (i32.const 0))`));
  prep.push(st(T0, `(v128.load32_splat offset=${IN + 76} (i32.const 0))`));
  prep.push(...scheduleLoop(() => WH, 16, 64, 0));
  prep.push(...loadState(0, IV));
  prep.push(...roundLoop(() => WH, 0, 8, 0));
  for (let i = 0; i < 8; i++) prep.push(st(MID + i * V, add(get(vars(0)[i]!), ld(IV + i * V))));
  const pad1 = [0x80000000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 640]; // block 2 words 4..15 (§5.1.1)
  for (let s = 0; s < streams; s++) {
    for (let i = 0; i < 3; i++) prep.push(st(W1 + s * 64 * V + i * V, `(v128.load32_splat offset=${IN + 64 + 4 * i} (i32.const 0))`));
    pad1.forEach((x, i) => prep.push(st(W1 + s * 64 * V + (4 + i) * V, `(i32x4.splat (i32.const ${x | 0}))`)));
    for (let i = 0; i < 8; i++) prep.push(st(W2 + s * 64 * V + (8 + i) * V, ld(PAD2 + i * V)));
  }
  prep.push(...scheduleLoop(() => W1, 16, 18, 0));
  for (let s = 1; s < streams; s++) for (const t of [16, 17]) prep.push(st(W1 + s * 64 * V + t * V, ld(W1 + t * V)));
  prep.push(...loadState(0, MID));
  prep.push(...roundsTail(() => W1, 0, 3, 0, 3, 0));
  for (let i = 0; i < 8; i++) prep.push(st(ST3 + i * V, get(stateVar(0, i, 3))));
  out.push('  (func (export "prepare")', ...ind(locals, 4), ...ind(prep, 4), '  )');

  // scan: `groups` passes of `lanes` nonces from n0; returns the index of the first pass
  // with a candidate lane (its H7 vectors stored at OUT), or `groups` when none.
  const w1 = (s: number): number => W1 + s * 64 * V;
  const w2 = (s: number): number => W2 + s * 64 * V;
  const body: string[] = [];
  for (let s = 0; s < streams; s++) {
    body.push(set(`$s${s}n`, `(i32x4.add (i32x4.splat (local.get $base)) ${ld(LANE + s * V)})`));
    // W3 is the nonce read big-endian (§3.1) from its little-endian header bytes.
    body.push(st(w1(s) + 3 * V, `(i8x16.shuffle ${BSWAP} ${get(`$s${s}n`)} ${get(`$s${s}n`)})`));
  }
  body.push(...scheduleLoop(w1, 18, 64));
  for (let s = 0; s < streams; s++) body.push(...loadState(s, ST3));
  body.push(...roundLoop(w1, 3, 7)); // rounds 3..58
  body.push(...roundsTail(w1, 59, 64, 0)); // rounds 59..63: the names end rotated by 5
  for (let s = 0; s < streams; s++) {
    for (let i = 0; i < 8; i++) body.push(st(w2(s) + i * V, add(get(stateVar(s, i, 5)), ld(MID + i * V))));
  }
  body.push(...scheduleLoop(w2, 16, 61));
  for (let s = 0; s < streams; s++) body.push(...loadState(s, IV));
  body.push(...roundLoop(w2, 0, 7)); // rounds 0..55
  // Rounds 56..60: H7 = e after round 60 + IV7; the 'a' side of rounds 57..60 is not needed.
  body.push(...roundsTail(w2, 56, 61, 0, 57));
  const h7 = (s: number): string => add(get(stateVar(s, 4, 5)), ld(IV + 7 * V));
  const h7sw = (s: number): string => `(i8x16.shuffle ${BSWAP} ${get(`$s${s}n`)} ${get(`$s${s}n`)})`;
  for (let s = 0; s < streams; s++) body.push(set(`$s${s}n`, h7(s)));
  // byteswap(H7) is the most significant word of the display-order hash; any lane <= t0?
  const tests = Array.from({ length: streams }, (_, s) => `(i32x4.le_u ${h7sw(s)} ${ld(T0)})`);
  body.push(`(if (v128.any_true ${tests.reduce((p, q) => `(v128.or ${p} ${q})`)})`,
    `  (then ${Array.from({ length: streams }, (_, s) => st(OUT + s * V, get(`$s${s}n`))).join(' ')}`,
    `    (return (local.get $i))))`);

  out.push('  (func (export "scan") (param $n0 i32) (param $groups i32) (result i32)',
    '    (local $i i32) (local $base i32)', ...ind(locals, 4),
    '    (block $done', '      (loop $pass',
    '        (br_if $done (i32.ge_u (local.get $i) (local.get $groups)))',
    `        (local.set $base (i32.add (local.get $n0) (i32.mul (local.get $i) (i32.const ${lanes}))))`,
    ...ind(body, 8),
    '        (local.set $i (i32.add (local.get $i) (i32.const 1)))',
    '        (br $pass)))', '    (local.get $groups))', ')', '');
  return out.join('\n');
}
