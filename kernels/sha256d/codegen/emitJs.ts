// Emits the plain-JS kernel source from the staged SHA-256d graph. Everything is
// int32 arithmetic on locals (x | 0 after adds, rotations as (x >>> n | x << 32-n),
// which TurboFan turns into one ror), with no allocation in the nonce loop.
//
// The per-nonce code is split into two functions, hash 1 inside the nonce loop and
// hash 2 as a callee: V8 does not optimise a function whose bytecode exceeds ~60 KB
// (--max-optimized-bytecode-size), and a single fully unrolled function was measured
// 60x slower (measured). Each half stays well under the limit and hash 2 is far above
// the inlining budget, so it remains a real call with eight int32 arguments.
import type { GNode } from './graph.ts';
import { planKernel, type Region } from './emitShared.ts';
import type { Sha256dTrace } from './trace.ts';

function lit(x: number): string {
  return x < 0 ? `(${x})` : `${x}`;
}

/** Straight-line code of one region: named nodes become consts, single-use ones are inlined. */
function emitRegion(r: Region, outer: (n: GNode) => string | null, indent: string): { code: string[]; ref: (n: GNode) => string } {
  const inRegion = new Set(r.nodes.map((n) => n.id));
  const named = (n: GNode): boolean => (r.uses.get(n.id) ?? 0) > 1;
  const ref = (n: GNode): string => {
    if (n.op === 'const') return lit(n.imm);
    const o = outer(n);
    if (o !== null) return o;
    if (!inRegion.has(n.id)) throw new Error(`node ${n.id} is outside the region`);
    return named(n) ? `v${n.id}` : expr(n);
  };
  const expr = (n: GNode): string => {
    const a = ref(n.a!);
    switch (n.op) {
      case 'add': return `(${a} + ${ref(n.b!)} | 0)`;
      case 'xor': return `(${a} ^ ${ref(n.b!)})`;
      case 'and': return `(${a} & ${ref(n.b!)})`;
      case 'or': return `(${a} | ${ref(n.b!)})`;
      case 'shr': return `(${a} >>> ${n.imm})`;
      case 'shl': return `(${a} << ${n.imm})`;
      case 'rotr': return `(${a} >>> ${n.imm} | ${a} << ${32 - n.imm})`;
      default: throw new Error(`unexpected op ${n.op}`);
    }
  };
  const code = r.nodes.filter(named).map((n) => `${indent}const v${n.id} = ${expr(n)};`);
  return { code, ref };
}

export function emitJsKernel(trace: Sha256dTrace, banner: string): string {
  const plan = planKernel(trace);
  const slotOf = new Map(plan.slots.map((n, i) => [n.id, i]));
  const out: string[] = [banner, ''];

  out.push('/** Number of per-unit words prepareUnit writes. */');
  out.push(`export const UNIT_WORDS = ${plan.slots.length};`, '');
  out.push('/** Per-unit precomputation: midstate and every nonce-independent value of the first hash. */');
  out.push('export function prepareUnit(h: Int32Array, u: Int32Array): void {');
  const inputs = new Set<string>();
  const prep = emitRegion(plan.prep, (n) => (n.op === 'input' ? (inputs.add(n.name), n.name) : null), '  ');
  const prepTail = plan.slots.map((n, i) => `  u[${i}] = ${prep.ref(n)};`);
  for (const name of [...inputs].sort((p, q) => +p.slice(1) - +q.slice(1))) out.push(`  const ${name} = h[${name.slice(1)}]! | 0;`);
  out.push(...prep.code, ...prepTail, '}', '');

  const hot2 = emitRegion(plan.hot2, (n) => (n.op === 'input' ? n.name : null), '  ');
  const hot1 = emitRegion(plan.hot1, (n) => {
    if (n.op === 'input') return n.name;
    const s = slotOf.get(n.id);
    return s === undefined ? null : `u${s}`;
  }, '    ');

  out.push('/**');
  out.push(' * Scans nonces start..start+count-1 (int32 arithmetic, wraps at 2^32; count <= 2^30).');
  out.push(' * Calls hit(nonce, h7) when byteswap(H7) <= t0 unsigned, t0x being t0 ^ 0x80000000 as int32.');
  out.push(' */');
  out.push('export function scanChunk(u: Int32Array, start: number, count: number, t0x: number, hit: (nonce: number, h7: number) => void): void {');
  plan.slots.forEach((_, i) => out.push(`  const u${i} = u[${i}]! | 0;`));
  out.push('  for (let i = 0; i < count; i++) {');
  out.push('    const n = (start + i) | 0;');
  out.push('    // W3 is the nonce read big-endian (FIPS 180-4 §3.1) from its little-endian header bytes.');
  out.push('    const w3 = n << 24 | (n & 0xff00) << 8 | (n >>> 8 & 0xff00) | n >>> 24;');
  out.push(...hot1.code);
  out.push(`    const h7 = second(${plan.trace.firstOut.map((n) => hot1.ref(n)).join(', ')});`);
  out.push('    // byteswap(H7) is the most significant word of the display-order hash.');
  out.push('    if (((h7 << 24 | (h7 & 0xff00) << 8 | (h7 >>> 8 & 0xff00) | h7 >>> 24) ^ -0x80000000) <= t0x) hit(n, h7);');
  out.push('  }', '}', '');
  out.push('/** Hash 2 up to H7 (rounds 61..63 and the unused \'a\' chain are dropped). */');
  out.push(`export function second(${plan.trace.firstOut.map((_, i) => `d${i}: number`).join(', ')}): number {`);
  out.push(...hot2.code);
  out.push(`  return ${hot2.ref(plan.trace.secondH7)};`, '}', '');
  return out.join('\n');
}
