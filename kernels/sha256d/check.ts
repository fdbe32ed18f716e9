// checkKernel for sha256d: a short golden-vector and edge-case run (a few hundred nonces per
// check) that the agent's self-test performs before mining with a kernel.
// It must catch a kernel that is fast but wrong, e.g. with one round constant changed.
import type { HeaderJob, Kernel } from '../types.ts';
import { bytesToHex, hexToBytes } from '../hex.ts';
import { headerHashAt, meetsTarget } from './share.ts';
import { BITCOIN_HEADERS } from './vectors.ts';

function scanAll(kernel: Kernel, job: HeaderJob, start: number, count: number): number[] {
  const shares: number[] = [];
  kernel.prepare(job).scan(start, count, (n) => shares.push(n));
  return shares;
}

const referenceCache = new Map<string, number[]>();

/** Reference shares by @noble/hashes; memoised, since every variant is checked on the same jobs. */
function referenceShares(job: HeaderJob, start: number, count: number): number[] {
  const key = `${bytesToHex(job.header)}/${bytesToHex(job.target)}/${start}/${count}`;
  const hit = referenceCache.get(key);
  if (hit) return hit;
  const out: number[] = [];
  for (let i = 0; i < count; i++) if (meetsTarget(headerHashAt(job.header, start + i), job.target)) out.push(start + i);
  referenceCache.set(key, out);
  return out;
}

function same(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Windows are short (~160 nonces in all) because the agent checks every variant at each
 * start, and the plain-JS ones run in V8's interpreter then (~15 k nonces/s); their
 * lengths are not multiples of 4 or 8, so shares fall on every lane position and a pass
 * is cut short at a window's end.
 */
export function checkSha256dKernel(kernel: Kernel): string | null {
  try {
    // 1. Real blocks: a window around the block's nonce holds exactly that share at the
    //    network target, whatever the nonce bytes of the header say.
    for (const v of BITCOIN_HEADERS) {
      const header = hexToBytes(v.header_hex);
      header.fill(0, 76, 80);
      const job: HeaderJob = { algo: 'sha256d', header, target: hexToBytes(v.target) };
      const got = scanAll(kernel, job, v.nonce - 13, 27);
      if (!same(got, [v.nonce])) return `block ${v.height}: expected share [${v.nonce}], got [${got.join(',')}]`;
    }
    // 2. An easy target (1 in 4 nonces), a window ending at nonce 0xffffffff, and a
    //    target equal to one hash, so the full 256-bit compare after a tie is exercised.
    const header = hexToBytes(BITCOIN_HEADERS[1]!.header_hex);
    const easy: HeaderJob = { algo: 'sha256d', header, target: hexToBytes('3fff'.padEnd(64, 'f')) };
    for (const [start, count] of [[1000, 45], [0xffffffff - 20, 21]] as const) {
      const want = referenceShares(easy, start, count);
      const got = scanAll(kernel, easy, start, count);
      if (!same(got, want)) return `easy target at ${start}+${count}: expected [${want.join(',')}], got [${got.join(',')}]`;
    }
    const tieNonce = 29;
    const tie: HeaderJob = { algo: 'sha256d', header, target: headerHashAt(header, tieNonce) };
    const tieWant = referenceShares(tie, 0, 43);
    const tieGot = scanAll(kernel, tie, 0, 43);
    if (!same(tieGot, tieWant) || !tieGot.includes(tieNonce)) {
      return `target = hash(${tieNonce}) = ${bytesToHex(tie.target)}: expected [${tieWant.join(',')}], got [${tieGot.join(',')}]`;
    }
    return null;
  } catch (err) {
    return `threw: ${err instanceof Error ? err.message : String(err)}`;
  }
}
