// A tiny staged expression graph used at build time to specialise SHA-256d for
// mining. Every value carries the stage at which it becomes known:
//   0 – a constant of the algorithm (K, IV, padding): folded to a literal now;
//   1 – fixed for a work unit (header bytes 0..75): computed once by prepare;
//   2 – changes with the nonce: the only part emitted into the per-nonce loop.
// Folding stages 0/1 away is exactly cpuminer's sha256d_ms/sha256d_prehash
// precomputation, derived mechanically instead of by hand so it cannot drift.
// Nodes are hash-consed, so a repeated sub-expression (e.g. a^b shared by two
// consecutive Maj computations) is computed once.

export type Stage = 0 | 1 | 2;
export type OpName = 'const' | 'input' | 'add' | 'xor' | 'and' | 'or' | 'shr' | 'shl' | 'rotr';

export interface GNode {
  readonly id: number;
  readonly op: OpName;
  readonly a: GNode | null;
  readonly b: GNode | null;
  /** Constant value (op 'const') or shift amount. */
  readonly imm: number;
  readonly stage: Stage;
  /** Input name (op 'input'). */
  readonly name: string;
}

const COMMUTATIVE = new Set<OpName>(['add', 'xor', 'and', 'or']);

export class Graph {
  readonly nodes: GNode[] = [];
  private readonly memo = new Map<string, GNode>();

  private make(op: OpName, a: GNode | null, b: GNode | null, imm: number, stage: Stage, name = ''): GNode {
    const key = `${op}|${a?.id ?? ''}|${b?.id ?? ''}|${imm}|${name}`;
    const hit = this.memo.get(key);
    if (hit) return hit;
    const node: GNode = { id: this.nodes.length, op, a, b, imm, stage, name };
    this.nodes.push(node);
    this.memo.set(key, node);
    return node;
  }

  konst(value: number): GNode {
    return this.make('const', null, null, value | 0, 0);
  }

  input(name: string, stage: Stage): GNode {
    return this.make('input', null, null, 0, stage, name);
  }

  bin(op: 'add' | 'xor' | 'and' | 'or', x: GNode, y: GNode): GNode {
    if (x.op === 'const' && y.op === 'const') return this.konst(evalBin(op, x.imm, y.imm));
    if (COMMUTATIVE.has(op) && (x.op === 'const' || (y.op !== 'const' && y.id < x.id))) [x, y] = [y, x];
    // Identities keep the padding zeros of the message schedule out of the code.
    if (y.op === 'const' && y.imm === 0) return op === 'and' ? y : x;
    if (x === y) {
      if (op === 'xor') return this.konst(0);
      if (op === 'and' || op === 'or') return x;
    }
    return this.make(op, x, y, 0, Math.max(x.stage, y.stage) as Stage);
  }

  shift(op: 'shr' | 'shl' | 'rotr', x: GNode, n: number): GNode {
    if (x.op === 'const') return this.konst(evalShift(op, x.imm, n));
    return this.make(op, x, null, n, x.stage);
  }
}

export function evalBin(op: string, x: number, y: number): number {
  switch (op) {
    case 'add': return (x + y) | 0;
    case 'xor': return x ^ y;
    case 'and': return x & y;
    case 'or': return x | y;
    default: throw new Error(`not a binary op: ${op}`);
  }
}

export function evalShift(op: string, x: number, n: number): number {
  switch (op) {
    case 'shr': return (x >>> n) | 0;
    case 'shl': return x << n;
    case 'rotr': return ((x >>> n) | (x << (32 - n))) | 0;
    default: throw new Error(`not a shift op: ${op}`);
  }
}

/** Evaluates nodes in id order (a topological order) from input values; for tests. */
export function evaluate(graph: Graph, inputs: Record<string, number>): Int32Array {
  const v = new Int32Array(graph.nodes.length);
  for (const n of graph.nodes) {
    if (n.op === 'const') v[n.id] = n.imm;
    else if (n.op === 'input') {
      const x = inputs[n.name];
      if (x === undefined) throw new Error(`missing input ${n.name}`);
      v[n.id] = x;
    } else if (n.b) v[n.id] = evalBin(n.op, v[n.a!.id]!, v[n.b.id]!);
    else v[n.id] = evalShift(n.op, v[n.a!.id]!, n.imm);
  }
  return v;
}

/** Nodes reachable from roots, in id order. */
export function reachable(roots: readonly GNode[]): GNode[] {
  const seen = new Set<GNode>();
  const stack = [...roots];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    if (n.a) stack.push(n.a);
    if (n.b) stack.push(n.b);
  }
  return [...seen].sort((p, q) => p.id - q.id);
}
