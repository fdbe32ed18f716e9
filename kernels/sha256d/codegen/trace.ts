// Traces SHA-256d of an 80-byte block header through the staged graph (graph.ts),
// following FIPS 180-4 §6.2.2 literally; the stages do the specialisation.
//
// Block 1 (header bytes 0..63) depends only on the unit, so the midstate is all
// stage 1. Block 2 holds header words 16..18 (stage 1), the nonce word W3 (stage 2)
// and the §5.1.1 padding (stage 0): its first three rounds, most of round 3 and the
// nonce-free parts of W16..W32 fall into stage 1. The second hash starts from the
// IV with constant words W8..W15, and only H7 of it is kept: the caller tests that
// word first (it is the most significant word of the display-order hash), so
// rounds 61..63 and the 'a' chain after round 56 are dead code and disappear.
import { Graph, type GNode } from './graph.ts';

/** How the generated code computes the same function (every choice is exact, only the instruction mix changes). */
export interface TraceOptions {
  /**
   * 'nested': Σ as ROTR^p(x ^ ROTR^(q-p)(x ^ ROTR^(r-q)(x))) and σ likewise (x86's two-operand
   * ror needs one copy of x instead of three); 'plain': three rotations XORed, as FIPS 180-4
   * writes them (shorter dependency chains, more live temporaries).
   */
  rotations: 'nested' | 'plain';
  /** 'first': the whole message schedule before the rounds; 'interleaved': each W_t just before its round. */
  schedule: 'first' | 'interleaved';
}

export const DEFAULT_TRACE: TraceOptions = { rotations: 'nested', schedule: 'first' };

/** A sum kept split as (stage 0/1 part) + (stage 2 part) so constants fold into one term. */
interface Val { lo: GNode; hi: GNode | null }

export interface Sha256dTrace {
  /** Hash 1 of the header: inputs h0..h18 (stage 1, header words big-endian) and w3 (stage 2). */
  first: Graph;
  /** The eight output words of hash 1 (stage 2). */
  firstOut: GNode[];
  /** Hash 2: inputs d0..d7 (stage 2, the hash-1 words). */
  second: Graph;
  /** H7 of the second hash (before byte reversal). */
  secondH7: GNode;
}

class Sym {
  constructor(readonly g: Graph, readonly opt: TraceOptions) {}

  val(n: GNode): Val {
    return n.stage === 2 ? { lo: this.g.konst(0), hi: n } : { lo: n, hi: null };
  }

  add(...vs: Val[]): Val {
    let lo = this.g.konst(0);
    let hi: GNode | null = null;
    for (const v of vs) {
      lo = this.g.bin('add', lo, v.lo);
      if (v.hi) hi = hi ? this.g.bin('add', hi, v.hi) : v.hi;
    }
    return { lo, hi };
  }

  mat(v: Val): GNode {
    if (!v.hi) return v.lo;
    return this.g.bin('add', v.lo, v.hi);
  }

  /**
   * Σ0/Σ1 of §4.1.2 (4.4, 4.5) as ROTR^p(x ^ ROTR^(q-p)(x ^ ROTR^(r-q)(x))): equal to
   * ROTR^p ^ ROTR^q ^ ROTR^r, but x86's two-operand ror then needs one copy of x instead
   * of three (6 instructions, 1 temporary, instead of 8 and 2).
   */
  rot3(x: GNode, p: number, q: number, r: number): GNode {
    const g = this.g;
    if (this.opt.rotations === 'plain') return g.bin('xor', g.bin('xor', g.shift('rotr', x, p), g.shift('rotr', x, q)), g.shift('rotr', x, r));
    return g.shift('rotr', g.bin('xor', x, g.shift('rotr', g.bin('xor', x, g.shift('rotr', x, r - q)), q - p)), p);
  }

  /** σ0/σ1 of §4.1.2 (4.6, 4.7), with the same nesting of the two rotations. */
  sigma(x: GNode, p: number, q: number, s: number): GNode {
    const g = this.g;
    if (this.opt.rotations === 'plain') return g.bin('xor', g.bin('xor', g.shift('rotr', x, p), g.shift('rotr', x, q)), g.shift('shr', x, s));
    return g.bin('xor', g.shift('rotr', g.bin('xor', x, g.shift('rotr', x, q - p)), p), g.shift('shr', x, s));
  }

  /** 64 rounds of §6.2.2 step 2-3 on state (a..h); returns the working variables, not yet added to H. */
  compress(state: Val[], block: Val[], k: readonly number[]): Val[] {
    const g = this.g;
    const w = block.slice();
    // W_t = σ1(W_t-2) + W_t-7 + σ0(W_t-15) + W_t-16, the newest term last for latency.
    // The whole schedule comes first in the emitted code: building each W_t just before
    // its round measured ~25 % slower in the JS kernel on a Zen 3 core (V8 spills more);
    // options.schedule keeps the other order as a variant for other cores.
    const word = (t: number): void => {
      w[t] = this.add(w[t - 16]!, this.val(this.sigma(this.mat(w[t - 15]!), 7, 18, 3)), w[t - 7]!,
        this.val(this.sigma(this.mat(w[t - 2]!), 17, 19, 10)));
    };
    if (this.opt.schedule === 'first') for (let t = 16; t < 64; t++) word(t);
    let [a, b, c, d, e, f, gg, h] = state as [Val, Val, Val, Val, Val, Val, Val, Val];
    for (let t = 0; t < 64; t++) {
      if (t >= 16 && this.opt.schedule === 'interleaved') word(t);
      const em = this.mat(e);
      const s1 = this.rot3(em, 6, 11, 25);
      // Ch(e,f,g) = (e AND f) XOR (NOT e AND g) = ((f XOR g) AND e) XOR g: 3 ops, no NOT.
      const fm = this.mat(f), gm = this.mat(gg);
      const ch = g.bin('xor', g.bin('and', g.bin('xor', fm, gm), em), gm);
      let t1 = this.add(h, this.val(g.konst(k[t]!)), w[t]!, this.val(ch), this.val(s1));
      // T1 feeds both e and a: materialise it once unless it is a bare input (round 3
      // of block 2, where T1 = const + nonce and each use folds its own constant).
      if (t1.hi && t1.hi.op !== 'input') t1 = this.val(this.mat(t1));
      const am = this.mat(a), bm = this.mat(b), cm = this.mat(c);
      const s0 = this.rot3(am, 2, 13, 22);
      // Maj(a,b,c) = ((a XOR b) AND (b XOR c)) XOR b; a XOR b is next round's b XOR c.
      const maj = g.bin('xor', g.bin('and', g.bin('xor', am, bm), g.bin('xor', bm, cm)), bm);
      h = gg; gg = f; f = e; e = this.add(d, t1);
      d = c; c = b; b = a; a = this.add(t1, this.val(s0), this.val(maj));
    }
    return [a, b, c, d, e, f, gg, h];
  }
}

export function traceSha256d(k: readonly number[], iv: readonly number[], opt: TraceOptions = DEFAULT_TRACE): Sha256dTrace {
  const first = new Graph();
  const s = new Sym(first, opt);
  const hdr = Array.from({ length: 19 }, (_, i) => s.val(first.input(`h${i}`, 1)));
  const ivVals = iv.map((x) => s.val(first.konst(x)));
  const mid = s.compress(ivVals, hdr.slice(0, 16), k).map((v, i) => s.add(v, ivVals[i]!));
  // Block 2 (§5.1.1 padding): words 16..18 of the header, the nonce, 0x80000000, zeros, length 640.
  const block2: Val[] = [hdr[16]!, hdr[17]!, hdr[18]!, s.val(first.input('w3', 2)), s.val(first.konst(0x80000000))];
  while (block2.length < 15) block2.push(s.val(first.konst(0)));
  block2.push(s.val(first.konst(640)));
  const firstOut = s.compress(mid, block2, k).map((v, i) => s.mat(s.add(mid[i]!, v)));

  const second = new Graph();
  const s2 = new Sym(second, opt);
  const digest = Array.from({ length: 8 }, (_, i) => s2.val(second.input(`d${i}`, 2)));
  // 32-byte message: 0x80000000, zeros, length 256.
  const block: Val[] = [...digest, s2.val(second.konst(0x80000000))];
  while (block.length < 15) block.push(s2.val(second.konst(0)));
  block.push(s2.val(second.konst(256)));
  const iv2 = iv.map((x) => s2.val(second.konst(x)));
  const out = s2.compress(iv2, block, k);
  const secondH7 = s2.mat(s2.add(out[7]!, iv2[7]!));
  return { first, firstOut, second, secondH7 };
}
