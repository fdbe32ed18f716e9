// Emits the WebAssembly SIMD sha256d kernel (WAT) as compact loops.
//
// Why loops and not the fully unrolled, constant-folded form that the JS kernel
// uses: the unrolled SIMD pass was ~8000 instructions (~40 KB of machine code per
// 4 nonces), larger than the 32 KB L1 instruction cache and far beyond the 4 K-op
// op cache of this Zen 3 core; it measured 2.85 M hashes per CPU-second against 4.4-4.9
// for the same work as 8-round loop bodies (docs/performance.md).
//
// Each i32x4 lane hashes its own nonce: 4 nonces per SIMD stream and pass. A pass
// can also carry scalar streams (one nonce in i32 locals, where i32.rotr is one
// instruction), which run on the integer ALUs beside the vector pipes. Steps follow
// FIPS 180-4 §6.2.2; per unit, prepare computes the midstate, W0..W17 of block 2 (W16
// and W17 do not involve the nonce word W3) and the state after rounds 0..2 (which do
// not read W3); per pass only W3, W18..W63, rounds 3..63, and hash 2 up to round 60
// remain (H7 is tested first and rounds 61..63 cannot change it).
//
// Constant folding, as cpuminer's sha256d_ms does it: round 3 of hash 1 adds W3 to two
// per-unit sums (prepare runs it with W3 = 0), and round 0 of hash 2 adds W0 to two
// constants of the IV; in W16..W33 of either hash, every term that does not depend on
// the nonce (the header words, the padding, W16/W17 of hash 1; W8..W15 of hash 2) is
// summed once, per unit or at build time, and only the rest is computed per pass. That
// removes ~330 of the ~6,200 vector operations of a pass; the loops keep the rest.

import { evalShift } from './graph.ts';

const BSWAP = '3 2 1 0 7 6 5 4 11 10 9 8 15 14 13 12';
const V = 16; // bytes per v128; scalar streams use the same stride (lane 0 of a slot)

export interface WatKernelOptions {
  k: readonly number[];
  iv: readonly number[];
  /** Independent i32x4 nonce vectors per pass. */
  simdStreams: number;
  /** Independent scalar nonces per pass (0 or more). */
  scalarStreams: number;
  /**
   * Σ forms: 'nested' writes Σ0 as ROTR2(a ^ ROTR11(a ^ ROTR9(a))) (Σ1 stays three rotations XORed,
   * the e-chain being the round's critical path); 'nested-all' nests Σ1 too; 'factored' writes
   * Σ0 as ROTR2(a ^ ROTR11(a) ^ ROTR20(a)); 'plain' nests neither.
   */
  rotations?: 'nested' | 'nested-all' | 'factored' | 'plain';
}

/** One nonce stream of a pass: its locals, its schedule arrays and its instruction set. */
interface Stream {
  name: string;
  simd: boolean;
  w1: number;
  w2: number;
  /** Nonce of its first lane, relative to the pass's base nonce. */
  first: number;
}

function hexBytes(words: Int32Array): string {
  return [...new Uint8Array(words.buffer)].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('');
}

const get = (x: string): string => `(local.get ${x})`;
const set = (x: string, v: string): string => `(local.set ${x} ${v})`;

/** The few operations the rounds need, for i32x4 or for i32. */
function opsFor(simd: boolean) {
  const t = simd ? 'i32x4' : 'i32';
  const b = simd ? 'v128' : 'i32';
  const shr = (x: string, n: number): string => `(${t}.shr_u ${x} (i32.const ${n}))`;
  return {
    ty: b,
    ld: (addr: number, ptr = '(i32.const 0)'): string => `(${b}.load offset=${addr} ${ptr})`,
    st: (addr: number, val: string, ptr = '(i32.const 0)'): string => `(${b}.store offset=${addr} ${ptr} ${val})`,
    add: (...xs: string[]): string => xs.reduce((p, q) => `(${t}.add ${p} ${q})`),
    xor: (...xs: string[]): string => xs.reduce((p, q) => `(${b}.xor ${p} ${q})`),
    and: (p: string, q: string): string => `(${b}.and ${p} ${q})`,
    shr,
    // No rotate in wasm SIMD: two shifts and an OR. (Left shifts as i32x4.mul by 2^n,
    // to move work off the shift pipes, measured 5-15 % slower.)
    rotr: (x: string, n: number): string => simd
      ? `(v128.or ${shr(x, n)} (i32x4.shl ${x} (i32.const ${32 - n})))`
      : `(i32.rotr ${x} (i32.const ${n}))`,
  };
}

/** σ0 and σ1 (§4.1.2, 4.6/4.7) of an expression read twice per rotation (a local.get or a load). */
function sigmas(o: ReturnType<typeof opsFor>) {
  return {
    s0: (x: string): string => o.xor(o.rotr(x, 7), o.rotr(x, 18), o.shr(x, 3)),
    s1: (x: string): string => o.xor(o.rotr(x, 17), o.rotr(x, 19), o.shr(x, 10)),
  };
}

const rotr32 = (x: number, n: number): number => evalShift('rotr', x, n);
const sig0 = (x: number): number => rotr32(x, 7) ^ rotr32(x, 18) ^ (x >>> 3);
const sig1 = (x: number): number => rotr32(x, 17) ^ rotr32(x, 19) ^ (x >>> 10);

/** How a message-schedule word is known: per nonce ('var'), per unit ('unit') or at build time (its value). */
type WordKind = 'var' | 'unit' | number;
/** The four terms of W_t (§6.2.2 step 1): word index and function applied. */
const terms = (t: number): [number, 'id' | 's0' | 's1'][] => [[t - 16, 'id'], [t - 15, 's0'], [t - 7, 'id'], [t - 2, 's1']];

export function emitWatKernel(opt: WatKernelOptions, banner: string): string {
  const { k, iv, simdStreams, scalarStreams } = opt;
  const rotations = opt.rotations ?? 'nested';
  const lanes = 4 * simdStreams + scalarStreams;
  // Memory map (bytes): constants (data segment), per-unit values, per-stream arrays.
  const K = 0;
  const IV = K + 64 * V;
  const LANE = IV + 8 * V;
  const PAD2 = LANE + simdStreams * V; // W8..W15 of hash 2: 0x80000000, zeros, 256 (§5.1.1)
  const R0 = PAD2 + 8 * V; // hash 2 after round 0 minus W0: a, e; then b ^ c (build-time constants)
  const CW2 = R0 + 3 * V; // nonce-free part of W_t of hash 2, at CW2 + t V
  const MID = CW2 + 32 * V;
  const ST4 = MID + 8 * V; // hash 1 after round 3 with W3 = 0 (per unit), then b ^ c
  const T0 = ST4 + 9 * V;
  const CW1 = T0 + V; // nonce-free part of W_t of hash 1, at CW1 + t V (per unit)
  const WH = CW1 + 34 * V; // header block 1, splatted, for prepare
  let next = WH + 64 * V;
  const streams: Stream[] = [];
  for (let s = 0; s < simdStreams + scalarStreams; s++) {
    const simd = s < simdStreams;
    streams.push({ name: simd ? `$v${s}` : `$x${s - simdStreams}`, simd, w1: next, w2: next + 64 * V, first: simd ? 4 * s : 4 * simdStreams + s - simdStreams });
    next += 128 * V;
  }
  const OUT = next;
  const IN = OUT + 4 * lanes + 12 - ((4 * lanes + 12) % 16); // 19 header words + the target word, written by JS
  if (IN + 80 > 65536) throw new Error('layout exceeds one page');

  // Hash 1 block 2: W0..W2 (header) and W16/W17 per unit, W4..W15 padding, W3 the nonce.
  const pad1 = [0x80000000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 640];
  const kind1 = (i: number): WordKind => i === 3 || i >= 18 ? 'var' : i >= 4 && i < 16 ? pad1[i - 4]! : 'unit';
  // Hash 2: W0..W7 the hash-1 words, W8..W15 padding.
  const pad2 = [0x80000000, 0, 0, 0, 0, 0, 0, 256];
  const kind2 = (i: number): WordKind => i >= 8 && i < 16 ? pad2[i - 8]! : 'var';
  /** W_t's terms split by kind; `known` sums the build-time ones. */
  const split = (t: number, kind: (i: number) => WordKind) => {
    const vars = terms(t).filter(([i]) => kind(i) === 'var');
    const fixed = terms(t).filter(([i]) => kind(i) !== 'var');
    const known = fixed.every(([i]) => typeof kind(i) === 'number')
      ? fixed.reduce((sum, [i, f]) => { const x = kind(i) as number; return (sum + (f === 's0' ? sig0(x) : f === 's1' ? sig1(x) : x)) | 0; }, 0)
      : null;
    return { vars, fixed, known };
  };
  /** First t from which every W_t of [t, end) has only per-nonce terms (the loop's start). */
  const loopFrom = (kind: (i: number) => WordKind, end: number): number => {
    let t = end;
    while (t > 16 && split(t - 1, kind).fixed.length === 0) t--;
    return t;
  };
  const L1 = loopFrom(kind1, 64); // 34
  const L2 = loopFrom(kind2, 61); // 32

  const data = new Int32Array(MID / 4);
  const splat = (addr: number, x: number): void => { data.fill(x | 0, addr / 4, addr / 4 + 4); };
  k.forEach((x, t) => splat(K + t * V, x));
  iv.forEach((x, i) => splat(IV + i * V, x));
  for (let l = 0; l < 4 * simdStreams; l++) data[LANE / 4 + l] = l;
  pad2.forEach((x, i) => splat(PAD2 + i * V, x));
  // Round 0 of hash 2 from the IV: T1 = h + Σ1(e) + Ch(e, f, g) + K0 + W0; e' = d + T1, a' = T1 + Σ0(a) + Maj(a, b, c).
  {
    const [a, b, c, d, e, f, g, h] = iv.map((x) => x | 0) as [number, number, number, number, number, number, number, number];
    const S1 = rotr32(e, 6) ^ rotr32(e, 11) ^ rotr32(e, 25);
    const S0 = rotr32(a, 2) ^ rotr32(a, 13) ^ rotr32(a, 22);
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + (k[0]! | 0)) | 0;
    splat(R0, (t1 + S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0);
    splat(R0 + V, (d + t1) | 0);
    splat(R0 + 2 * V, a ^ b);
  }
  for (let t = 16; t < L2; t++) splat(CW2 + t * V, split(t, kind2).known ?? 0);

  const vars = (s: Stream): string[] => 'abcdefgh'.split('').map((c) => `${s.name}${c}`);

  /** One round (§6.2.2 step 3) at W/K offset `off` from pointer `ptr`, variables rotated by r. */
  const round = (s: Stream, r: number, wBase: number, off: number, ptr: string, full = true): string[] => {
    const o = opsFor(s.simd);
    const S = vars(s);
    const x = (j: number): string => S[(j - r + 8) % 8]!;
    // c is only read through bc (= b ^ c carried from the previous round's a ^ b).
    const [a, b, d, e, f, g, h] = [0, 1, 3, 4, 5, 6, 7].map(x) as [string, string, string, string, string, string, string];
    const t1 = `${s.name}t1`, ab = `${s.name}ab`, bc = `${s.name}bc`;
    const out = [
      // T1 = h + Σ1(e) + Ch(e,f,g) + K_t + W_t; Ch = ((f ^ g) & e) ^ g needs no NOT.
      set(t1, o.add(get(h), o.ld(K + off, ptr), o.ld(wBase + off, ptr),
        o.xor(o.and(o.xor(get(f), get(g)), get(e)), get(g)),
        rotations === 'nested-all'
          ? o.rotr(o.xor(get(e), o.rotr(o.xor(get(e), o.rotr(get(e), 14)), 5)), 6)
          : o.xor(o.rotr(get(e), 6), o.rotr(get(e), 11), o.rotr(get(e), 25)))),
      set(d, o.add(get(d), get(t1))),
    ];
    if (full) {
      // Maj = ((a ^ b) & (b ^ c)) ^ b, and a ^ b is the next round's b ^ c.
      // Σ0(a) = ROTR2(a) ^ ROTR13(a) ^ ROTR22(a) in one of three forms, the same 11 operations:
      // 'nested' ROTR2(a ^ ROTR11(a ^ ROTR9(a))): fewest live temporaries, longest chain (8);
      // 'factored' ROTR2(a ^ ROTR11(a) ^ ROTR20(a)): chain 6; 'plain' three rotations: chain 4,
      // most temporaries. Which wins depends on the core's registers and window (performance.md).
      // Σ0 is added last: a's chain through it is the longer one, Maj is ready a cycle earlier
      // (measured 5-7 % faster for the one-stream loops on a Zen 5 core, neutral for two).
      const s0 = rotations === 'plain'
        ? o.xor(o.rotr(get(a), 2), o.rotr(get(a), 13), o.rotr(get(a), 22))
        : rotations === 'factored'
          ? o.rotr(o.xor(get(a), o.rotr(get(a), 11), o.rotr(get(a), 20)), 2)
          : o.rotr(o.xor(get(a), o.rotr(o.xor(get(a), o.rotr(get(a), 9)), 11)), 2);
      out.push(set(ab, o.xor(get(a), get(b))),
        set(h, o.add(get(t1), o.xor(o.and(get(ab), get(bc)), get(b)), s0)),
        set(bc, get(ab)));
    }
    return out;
  };

  /** W_t = σ1(W_t-2) + W_t-7 + σ0(W_t-15) + W_t-16 (§6.2.2 step 1) at pointer ptr = 16 t. */
  const schedule = (s: Stream, wBase: number, ptr: string): string[] => {
    const o = opsFor(s.simd);
    const w = (back: number): string => o.ld(wBase - back * V, ptr);
    const x2 = `${s.name}x2`, x15 = `${s.name}x15`;
    const sg = sigmas(o);
    return [set(x2, w(2)), set(x15, w(15)), o.st(wBase, o.add(w(16), sg.s0(get(x15)), w(7), sg.s1(get(x2))), ptr)];
  };

  /** Statements of several streams interleaved one by one, for instruction-level parallelism. */
  const zip = (parts: string[][]): string[] => {
    const out: string[] = [];
    const n = Math.max(...parts.map((p) => p.length));
    for (let i = 0; i < n; i++) for (const p of parts) if (i < p.length) out.push(p[i]!);
    return out;
  };
  const each = (ss: Stream[], f: (s: Stream) => string[]): string[] => zip(ss.map(f));

  const scheduleLoop = (ss: Stream[], w: (s: Stream) => number, from: number, to: number): string[] => [
    set('$p', `(i32.const ${from * V})`),
    '(loop $sched',
    ...each(ss, (s) => schedule(s, w(s), get('$p'))).map((l) => `  ${l}`),
    `  ${set('$p', `(i32.add ${get('$p')} (i32.const ${V}))`)}`,
    `  (br_if $sched (i32.lt_u ${get('$p')} (i32.const ${to * V}))))`,
  ];

  /** Rounds from..from+8n-1, entered with rotation r0, as a loop of 8-round bodies (variables come back to their names). */
  const roundLoop = (ss: Stream[], w: (s: Stream) => number, from: number, n: number, r0 = 0): string[] => {
    const body: string[] = [];
    for (let r = 0; r < 8; r++) body.push(...each(ss, (s) => round(s, (r0 + r) % 8, w(s), r * V, get('$p'))));
    return [
      set('$p', `(i32.const ${from * V})`),
      '(loop $rounds',
      ...body.map((l) => `  ${l}`),
      `  ${set('$p', `(i32.add ${get('$p')} (i32.const ${8 * V}))`)}`,
      `  (br_if $rounds (i32.lt_u ${get('$p')} (i32.const ${(from + 8 * n) * V}))))`,
    ];
  };

  /** Straight rounds from..to-1 continuing rotation r0; rounds from fullUntil on update only e. */
  const roundsTail = (ss: Stream[], w: (s: Stream) => number, from: number, to: number, r0: number, fullUntil = to): string[] => {
    const out: string[] = [];
    for (let t = from; t < to; t++) out.push(...each(ss, (s) => round(s, (r0 + t - from) % 8, w(s), t * V, '(i32.const 0)', t < fullUntil)));
    return out;
  };
  /**
   * W_t for t in [from, to) without a loop: the per-nonce terms, plus the nonce-free sum at
   * cw + t V when it is not known to be zero. All-fixed words (W16/W17 of hash 1) are prepare's.
   */
  const schedulePeeled = (ss: Stream[], w: (s: Stream) => number, kind: (i: number) => WordKind, cw: number, from: number, to: number): string[] => {
    const out: string[] = [];
    for (let t = from; t < to; t++) {
      const { vars: vt, known } = split(t, kind);
      if (vt.length === 0) continue;
      out.push(...each(ss, (s) => {
        const o = opsFor(s.simd);
        const sg = sigmas(o);
        const stmts: string[] = [];
        const xs = vt.map(([i, f]) => {
          if (f === 'id') return o.ld(w(s) + i * V);
          const x = `${s.name}${f === 's0' ? 'x15' : 'x2'}`;
          stmts.push(set(x, o.ld(w(s) + i * V)));
          return f === 's0' ? sg.s0(get(x)) : sg.s1(get(x));
        });
        if (known !== 0) xs.push(o.ld(cw + t * V));
        stmts.push(o.st(w(s) + t * V, o.add(...xs)));
        return stmts;
      }));
    }
    return out;
  };
  /**
   * State after a folded round, in rotation-1 names: word j from at(j); a' (j = 0) and e' (j = 4)
   * are the round's sums without W, so the round's W (at wAddr) is added; b ^ c from bc.
   */
  const loadFolded = (s: Stream, at: (j: number) => number, bc: number, wAddr: number): string[] => {
    const o = opsFor(s.simd);
    const S = vars(s);
    const out = [set(`${s.name}x2`, o.ld(wAddr))];
    for (let j = 0; j < 8; j++) {
      const x = o.ld(at(j));
      out.push(set(S[(j + 7) % 8]!, j === 0 || j === 4 ? o.add(x, get(`${s.name}x2`)) : x));
    }
    out.push(set(`${s.name}bc`, o.ld(bc)));
    return out;
  };
  const loadState = (s: Stream, base: number): string[] => {
    const o = opsFor(s.simd);
    return [...vars(s).map((v, i) => set(v, o.ld(base + i * V))), set(`${s.name}bc`, o.xor(get(vars(s)[1]!), get(vars(s)[2]!)))];
  };
  /** The variable holding state word j after rounds with total rotation r. */
  const stateVar = (s: Stream, j: number, r: number): string => vars(s)[(j - r + 64) % 8]!;
  const localsOf = (s: Stream): string =>
    [...vars(s), 't1', 'ab', 'bc', 'x2', 'x15', 'n'].map((v) => `(local ${v.startsWith('$') ? v : s.name + v} ${opsFor(s.simd).ty})`).join(' ');
  const ind = (ls: string[], n: number): string[] => ls.map((l) => ' '.repeat(n) + l);

  const out: string[] = [banner, '(module', '  (memory (export "memory") 1)'];
  for (const [name, v] of Object.entries({ inBase: IN, outBase: OUT, lanes })) out.push(`  (global (export "${name}") i32 (i32.const ${v}))`);
  out.push(`  (data (i32.const ${K}) "${hexBytes(data)}")`);

  // prepare: header words 0..18 and the target's top word at IN (JS writes them). Runs
  // the same SIMD rounds on splatted words, so it uses the module's own constants.
  const p0: Stream = { name: '$p', simd: true, w1: WH, w2: WH, first: 0 };
  const v = opsFor(true);
  const prep: string[] = [];
  for (let i = 0; i < 16; i++) prep.push(v.st(WH + i * V, `(v128.load32_splat offset=${IN + 4 * i} (i32.const 0))`));
  prep.push(v.st(T0, `(v128.load32_splat offset=${IN + 76} (i32.const 0))`));
  prep.push(...scheduleLoop([p0], () => WH, 16, 64), ...loadState(p0, IV), ...roundLoop([p0], () => WH, 0, 8));
  for (let i = 0; i < 8; i++) prep.push(v.st(MID + i * V, v.add(get(vars(p0)[i]!), v.ld(IV + i * V))));
  // Block 2 words 0..2 from the header, 4..15 padding (§5.1.1), then W16/W17, computed
  // once in the first stream's array and copied (lane 0 suffices for scalar streams).
  const first = streams[0]!;
  for (let i = 0; i < 3; i++) prep.push(v.st(first.w1 + i * V, `(v128.load32_splat offset=${IN + 64 + 4 * i} (i32.const 0))`));
  prep.push(v.st(first.w1 + 3 * V, '(v128.const i32x4 0 0 0 0)')); // W3 = 0 for the folded round 3
  pad1.forEach((x, i) => prep.push(v.st(first.w1 + (4 + i) * V, `(i32x4.splat (i32.const ${x | 0}))`)));
  prep.push(...scheduleLoop([{ ...first, name: '$p' }], () => first.w1, 16, 18));
  for (const s of streams.slice(1)) {
    for (let i = 0; i < 18; i++) if (i !== 3) prep.push(v.st(s.w1 + i * V, v.ld(first.w1 + i * V)));
  }
  for (const s of streams) for (let i = 0; i < 8; i++) prep.push(v.st(s.w2 + (8 + i) * V, v.ld(PAD2 + i * V)));
  // The nonce-free sums of W18..W33 that schedulePeeled reads (every fixed term: header, padding, W16/W17).
  const sg = sigmas(v);
  for (let t = 18; t < L1; t++) {
    const { fixed, known } = split(t, kind1);
    if (fixed.length === 0 || known === 0) continue;
    prep.push(v.st(CW1 + t * V, v.add(...fixed.map(([i, f]) => {
      const x = v.ld(first.w1 + i * V);
      return f === 's0' ? sg.s0(x) : f === 's1' ? sg.s1(x) : x;
    }))));
  }
  // Rounds 0..3 with W3 = 0: the scan adds W3 to a' and e' (round 3 is linear in W3 there).
  prep.push(...loadState(p0, MID), ...roundsTail([p0], () => first.w1, 0, 4, 0));
  for (let i = 0; i < 8; i++) prep.push(v.st(ST4 + i * V, get(stateVar(p0, i, 4))));
  prep.push(v.st(ST4 + 8 * V, v.xor(get(stateVar(p0, 1, 4)), get(stateVar(p0, 2, 4)))));
  out.push('  (func (export "prepare")', `    (local $p i32) ${localsOf(p0)}`, ...ind(prep, 4), '  )');

  // scan: `groups` passes of `lanes` nonces from n0; returns the index of the first pass
  // with a candidate lane (the H7 words of all lanes stored at OUT), or `groups`.
  const body: string[] = [];
  for (const s of streams) {
    const o = opsFor(s.simd);
    const n = `${s.name}n`;
    // W3 is the nonce read big-endian (§3.1) from its little-endian header bytes.
    if (s.simd) {
      body.push(set(n, `(i32x4.add (i32x4.splat (local.get $base)) ${v.ld(LANE + (s.first / 4) * V)})`));
      body.push(o.st(s.w1 + 3 * V, `(i8x16.shuffle ${BSWAP} ${get(n)} ${get(n)})`));
    } else {
      body.push(set(n, `(i32.add (local.get $base) (i32.const ${s.first}))`));
      body.push(o.st(s.w1 + 3 * V, bswap32(get(n))));
    }
  }
  const w1 = (s: Stream): number => s.w1;
  const w2 = (s: Stream): number => s.w2;
  body.push(...schedulePeeled(streams, w1, kind1, CW1, 18, L1), ...scheduleLoop(streams, w1, L1, 64));
  for (const s of streams) body.push(...loadFolded(s, (j) => ST4 + j * V, ST4 + 8 * V, s.w1 + 3 * V)); // after round 3
  body.push(...roundLoop(streams, w1, 4, 7, 1)); // rounds 4..59
  body.push(...roundsTail(streams, w1, 60, 64, 1)); // rounds 60..63: the names end rotated by 5
  for (const s of streams) {
    const o = opsFor(s.simd);
    for (let i = 0; i < 8; i++) body.push(o.st(s.w2 + i * V, o.add(get(stateVar(s, i, 5)), o.ld(MID + i * V))));
  }
  body.push(...schedulePeeled(streams, w2, kind2, CW2, 16, L2), ...scheduleLoop(streams, w2, L2, 61));
  for (const s of streams) body.push(...loadFolded(s, (j) => j === 0 ? R0 : j === 4 ? R0 + V : IV + (j - 1) * V, R0 + 2 * V, s.w2)); // after round 0
  body.push(...roundLoop(streams, w2, 1, 7, 1)); // rounds 1..56
  // Rounds 57..60: H7 = e after round 60 + IV7; the 'a' side of rounds 57..60 is not needed.
  body.push(...roundsTail(streams, w2, 57, 61, 1, 57));
  // byteswap(H7) is the most significant word of the display-order hash; any lane <= t0?
  const tests: string[] = [];
  for (const s of streams) {
    const o = opsFor(s.simd);
    const n = `${s.name}n`;
    body.push(set(n, o.add(get(stateVar(s, 4, 5)), o.ld(IV + 7 * V))));
    tests.push(s.simd
      ? `(v128.any_true (i32x4.le_u (i8x16.shuffle ${BSWAP} ${get(n)} ${get(n)}) ${v.ld(T0)}))`
      : `(i32.le_u ${bswap32(get(n))} (i32.load offset=${T0} (i32.const 0)))`);
  }
  const stores = streams.map((s) => s.simd
    ? v.st(OUT + 4 * s.first, get(`${s.name}n`))
    : `(i32.store offset=${OUT + 4 * s.first} (i32.const 0) ${get(`${s.name}n`)})`);
  body.push(`(if ${tests.reduce((p, q) => `(i32.or ${p} ${q})`)}`, `  (then ${stores.join(' ')}`, '    (return (local.get $i))))');

  out.push('  (func (export "scan") (param $n0 i32) (param $groups i32) (result i32)',
    '    (local $i i32) (local $base i32) (local $p i32)', ...ind(streams.map(localsOf), 4),
    '    (block $done', '      (loop $pass',
    '        (br_if $done (i32.ge_u (local.get $i) (local.get $groups)))',
    `        (local.set $base (i32.add (local.get $n0) (i32.mul (local.get $i) (i32.const ${lanes}))))`,
    ...ind(body, 8),
    '        (local.set $i (i32.add (local.get $i) (i32.const 1)))',
    '        (br $pass)))', '    (local.get $groups))', ')', '');
  return out.join('\n');
}

/** Byte swap of an i32 expression (used twice, so x must be a local.get). */
function bswap32(x: string): string {
  return `(i32.or (i32.and (i32.rotr ${x} (i32.const 8)) (i32.const 0xff00ff00)) (i32.and (i32.rotl ${x} (i32.const 8)) (i32.const 0x00ff00ff)))`;
}
