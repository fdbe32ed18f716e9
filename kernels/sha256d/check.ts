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

function referenceShares(job: HeaderJob, start: number, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) if (meetsTarget(headerHashAt(job.header, start + i), job.target)) out.push(start + i);
  return out;
}

function same(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function checkSha256dKernel(kernel: Kernel): string | null {
  try {
    // 1. Real blocks: a window around the block's nonce holds exactly that share at the
    //    network target, whatever the nonce bytes of the header say.
    for (const v of BITCOIN_HEADERS) {
      const header = hexToBytes(v.header_hex);
      header.fill(0, 76, 80);
      const job: HeaderJob = { algo: 'sha256d', header, target: hexToBytes(v.target) };
      const got = scanAll(kernel, job, v.nonce - 100, 200);
      if (!same(got, [v.nonce])) return `block ${v.height}: expected share [${v.nonce}], got [${got.join(',')}]`;
    }
    // 2. An easy target (1 in 16 nonces), a window ending at nonce 0xffffffff, and a
    //    target equal to one hash, so the full 256-bit compare after a tie is exercised.
    const header = hexToBytes(BITCOIN_HEADERS[1]!.header_hex);
    const easy: HeaderJob = { algo: 'sha256d', header, target: hexToBytes('0fff'.padEnd(64, 'f')) };
    for (const [start, count] of [[1000, 129], [0xffffffff - 60, 61]] as const) {
      const want = referenceShares(easy, start, count);
      const got = scanAll(kernel, easy, start, count);
      if (!same(got, want)) return `easy target at ${start}+${count}: expected [${want.join(',')}], got [${got.join(',')}]`;
    }
    const tieNonce = 77;
    const tie: HeaderJob = { algo: 'sha256d', header, target: headerHashAt(header, tieNonce) };
    const tieWant = referenceShares(tie, 0, 96);
    const tieGot = scanAll(kernel, tie, 0, 96);
    if (!same(tieGot, tieWant) || !tieGot.includes(tieNonce)) {
      return `target = hash(${tieNonce}) = ${bytesToHex(tie.target)}: expected [${tieWant.join(',')}], got [${tieGot.join(',')}]`;
    }
    return null;
  } catch (err) {
    return `threw: ${err instanceof Error ? err.message : String(err)}`;
  }
}
