// Region bookkeeping shared by the JS and WAT emitters: which nodes belong to the
// per-nonce code, which stage-1 values it reads (the per-unit "slots"), which
// stage-0 constants it needs, and how often each node is used.
import { reachable, type GNode } from './graph.ts';
import type { Sha256dTrace } from './trace.ts';

export interface Region {
  /** Computed nodes of this region, in id (topological) order. */
  nodes: GNode[];
  /** Uses of each node id by region nodes and roots; rotr counts its operand twice (it is read twice). */
  uses: Map<number, number>;
}

export function region(roots: readonly GNode[], stage: 1 | 2): Region {
  const nodes = reachable(roots).filter((n) => n.stage === stage && n.op !== 'input' && n.op !== 'const');
  const uses = new Map<number, number>();
  const use = (n: GNode | null, times = 1): void => {
    if (n) uses.set(n.id, (uses.get(n.id) ?? 0) + times);
  };
  for (const n of nodes) {
    use(n.a, n.op === 'rotr' ? 2 : 1);
    use(n.b);
  }
  for (const r of roots) use(r, 2);
  return { nodes, uses };
}

export interface KernelPlan {
  trace: Sha256dTrace;
  /** Per-nonce code of hash 1 and hash 2. */
  hot1: Region;
  hot2: Region;
  /** Stage-1 values the per-nonce code reads, in slot order. */
  slots: GNode[];
  /** Stage-1 code computing the slots from the header words. */
  prep: Region;
}

export function planKernel(trace: Sha256dTrace): KernelPlan {
  const hot1 = region(trace.firstOut, 2);
  const hot2 = region([trace.secondH7], 2);
  const slotSet = new Set<GNode>();
  for (const n of hot1.nodes) {
    for (const x of [n.a, n.b]) if (x && x.stage === 1) slotSet.add(x);
  }
  const slots = [...slotSet].sort((p, q) => p.id - q.id);
  return { trace, hot1, hot2, slots, prep: region(slots, 1) };
}
