// Emits a fully unrolled WebAssembly SIMD sha256d kernel from the staged graph, the
// same specialisation as the JS kernel (every per-unit and constant value folded, the
// message schedule in locals, hash 2 cut after H7), each i32x4 lane one nonce.
//
// Against the looped form (emitWat.ts) this trades code size (~40 KB of machine code
// per pass, more than a 32 KB L1i) for ~10 % fewer instructions and no schedule
// stores/loads: it lost on a Zen 3 core (docs/performance.md) and won on a Zen 5 one,
// which is why both exist and the planner times them on the device.
//
// Locals: one per value used more than once (V8's TurboFan turns them into SSA values
// and allocates registers itself); values used once are nested in place. Per-unit
// values ("slots") and constants are read from memory as pre-splatted v128s, which
// x86 folds into the consuming instruction's memory operand.
import type { GNode } from './graph.ts';
import { planKernel, type Region } from './emitShared.ts';
import type { Sha256dTrace } from './trace.ts';

const V = 16;
const BSWAP = '3 2 1 0 7 6 5 4 11 10 9 8 15 14 13 12';

export interface UnrolledWatOptions {
  /** Independent i32x4 nonce vectors per pass (1 = 4 lanes, 2 = 8 lanes interleaved). */
  streams: number;
}

function hexBytes(words: Int32Array): string {
  return [...new Uint8Array(words.buffer)].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('');
}

/** WAT text of a region's values: named ones are locals, the rest nest at their single use. */
function regionCode(r: Region, outer: (n: GNode) => string | null, local: (n: GNode) => string, simd: boolean): { code: string[]; ref: (n: GNode) => string; locals: GNode[] } {
  const inRegion = new Set(r.nodes.map((n) => n.id));
  const named = (n: GNode): boolean => (r.uses.get(n.id) ?? 0) > 1;
  const t = simd ? 'i32x4' : 'i32';
  const b = simd ? 'v128' : 'i32';
  const ref = (n: GNode): string => {
    const o = outer(n);
    if (o !== null) return o;
    if (!inRegion.has(n.id)) throw new Error(`node ${n.id} is outside the region`);
    return named(n) ? `(local.get ${local(n)})` : expr(n);
  };
  const expr = (n: GNode): string => {
    const a = ref(n.a!);
    switch (n.op) {
      case 'add': return `(${t}.add ${a} ${ref(n.b!)})`;
      case 'xor': return `(${b}.xor ${a} ${ref(n.b!)})`;
      case 'and': return `(${b}.and ${a} ${ref(n.b!)})`;
      case 'or': return `(${b}.or ${a} ${ref(n.b!)})`;
      case 'shr': return `(${t}.shr_u ${a} (i32.const ${n.imm}))`;
      case 'shl': return `(${t}.shl ${a} (i32.const ${n.imm}))`;
      // No SIMD rotate in wasm: two shifts and an OR (a is a local.get: rotr counts as two uses).
      case 'rotr': return simd
        ? `(v128.or (i32x4.shr_u ${a} (i32.const ${n.imm})) (i32x4.shl ${a} (i32.const ${32 - n.imm})))`
        : `(i32.rotr ${a} (i32.const ${n.imm}))`;
      default: throw new Error(`unexpected op ${n.op}`);
    }
  };
  const locals = r.nodes.filter(named);
  const code = locals.map((n) => `(local.set ${local(n)} ${expr(n)})`);
  return { code, ref, locals };
}

export function emitUnrolledWat(trace: Sha256dTrace, opt: UnrolledWatOptions, banner: string): string {
  const plan = planKernel(trace);
  const streams = opt.streams;
  const lanes = 4 * streams;

  // Constants the per-nonce code reads (stage 0 operands of stage 2 nodes).
  const consts = new Map<number, number>();
  for (const r of [plan.hot1, plan.hot2]) {
    for (const n of r.nodes) for (const x of [n.a, n.b]) if (x && x.op === 'const' && !consts.has(x.imm)) consts.set(x.imm, consts.size);
  }
  // Memory map (bytes): constants and lane offsets (data segment), per-unit slots, target, output, input.
  const CONST = 0;
  const LANE = CONST + consts.size * V;
  const SLOT = LANE + streams * V;
  const T0 = SLOT + plan.slots.length * V;
  const OUT = T0 + V;
  const IN = OUT + lanes * 4;
  if (IN + 80 > 65536) throw new Error('layout exceeds one page');
  const data = new Int32Array(SLOT / 4);
  for (const [value, i] of consts) data.fill(value, (CONST + i * V) / 4, (CONST + (i + 1) * V) / 4);
  for (let l = 0; l < lanes; l++) data[LANE / 4 + l] = l;
  const slotOf = new Map(plan.slots.map((n, i) => [n.id, i]));

  const out: string[] = [banner, '(module', '  (memory (export "memory") 1)'];
  for (const [name, v] of Object.entries({ inBase: IN, outBase: OUT, lanes })) out.push(`  (global (export "${name}") i32 (i32.const ${v}))`);
  out.push(`  (data (i32.const 0) "${hexBytes(data)}")`);

  // prepare: the per-unit (stage 1) values from header words 0..18 at IN, in scalar i32
  // code, stored splatted for the per-nonce code; the target's top word likewise.
  const prep = regionCode(plan.prep, (n) => {
    if (n.op === 'const') return `(i32.const ${n.imm})`;
    if (n.op === 'input') return `(i32.load offset=${IN + 4 * Number(n.name.slice(1))} (i32.const 0))`;
    return null;
  }, (n) => `$p${n.id}`, false);
  out.push('  (func (export "prepare")', ...prep.locals.map((n) => `    (local $p${n.id} i32)`));
  out.push(...prep.code.map((l) => `    ${l}`));
  plan.slots.forEach((n, i) => out.push(`    (v128.store offset=${SLOT + i * V} (i32.const 0) (i32x4.splat ${prep.ref(n)}))`));
  out.push(`    (v128.store offset=${T0} (i32.const 0) (v128.load32_splat offset=${IN + 76} (i32.const 0))))`);

  // scan: `groups` passes of `lanes` nonces from n0; returns the index of the first pass
  // with a candidate lane (the H7 words of all lanes stored at OUT), or `groups`.
  const load = (addr: number): string => `(v128.load offset=${addr} (i32.const 0))`;
  const perStream = Array.from({ length: streams }, (_, s) => {
    const hot1 = regionCode(plan.hot1, (n) => {
      if (n.op === 'const') return load(CONST + consts.get(n.imm)! * V);
      if (n.op === 'input') return `(local.get $w3s${s})`;
      const slot = slotOf.get(n.id);
      return slot === undefined ? null : load(SLOT + slot * V);
    }, (n) => `$a${n.id}s${s}`, true);
    const hot2 = regionCode(plan.hot2, (n) => {
      if (n.op === 'const') return load(CONST + consts.get(n.imm)! * V);
      if (n.op === 'input') return hot1.ref(plan.trace.firstOut[Number(n.name.slice(1))]!);
      return null;
    }, (n) => `$b${n.id}s${s}`, true);
    return { hot1, hot2, h7: hot2.ref(plan.trace.secondH7) };
  });
  const locals: string[] = [];
  for (let s = 0; s < streams; s++) {
    locals.push(`$nv${s}`, `$w3s${s}`, ...perStream[s]!.hot1.locals.map((n) => `$a${n.id}s${s}`), ...perStream[s]!.hot2.locals.map((n) => `$b${n.id}s${s}`));
  }
  const body: string[] = [];
  for (let s = 0; s < streams; s++) {
    // W3 is the nonce read big-endian (FIPS 180-4 §3.1) from its little-endian header bytes.
    body.push(`(local.set $nv${s} (i32x4.add (i32x4.splat (local.get $base)) ${load(LANE + s * V)}))`);
    body.push(`(local.set $w3s${s} (i8x16.shuffle ${BSWAP} (local.get $nv${s}) (local.get $nv${s})))`);
  }
  // Streams interleaved statement by statement: independent chains for the out-of-order core.
  const zip = (parts: string[][]): void => {
    const n = Math.max(...parts.map((p) => p.length));
    for (let i = 0; i < n; i++) for (const p of parts) if (i < p.length) body.push(p[i]!);
  };
  zip(perStream.map((p) => p.hot1.code));
  zip(perStream.map((p) => p.hot2.code));
  // byteswap(H7) is the most significant word of the display-order hash; any lane <= t0?
  const tests = perStream.map((p) => `(v128.any_true (i32x4.le_u (i8x16.shuffle ${BSWAP} ${p.h7} ${p.h7}) ${load(T0)}))`);
  const stores = perStream.map((p, s) => `(v128.store offset=${OUT + s * V} (i32.const 0) ${p.h7})`);
  body.push(`(if ${tests.reduce((p, q) => `(i32.or ${p} ${q})`)}`, `  (then ${stores.join(' ')}`, '    (return (local.get $i))))');

  out.push('  (func (export "scan") (param $n0 i32) (param $groups i32) (result i32)',
    '    (local $i i32) (local $base i32)',
    ...locals.map((l) => `    (local ${l} v128)`),
    '    (block $done', '      (loop $pass',
    '        (br_if $done (i32.ge_u (local.get $i) (local.get $groups)))',
    `        (local.set $base (i32.add (local.get $n0) (i32.mul (local.get $i) (i32.const ${lanes}))))`,
    ...body.map((l) => `        ${l}`),
    '        (local.set $i (i32.add (local.get $i) (i32.const 1)))',
    '        (br $pass)))', '    (local.get $groups))', ')', '');
  return out.join('\n');
}
