// Golden-vector self-test of one scrypt kernel, run before a device mines with it.
import { scrypt } from '@noble/hashes/scrypt.js';
import type { HeaderJob, Kernel, KernelJob } from '../types.ts';
import { headerJobOf } from './jsKernel.ts';

/**
 * Litecoin mainnet genesis (litecoin-project/litecoin src/chainparams.cpp), the
 * vector of ../shared/vectors/litecoin-scrypt.json, inlined because kernels must not
 * read files outside the repo at run time.
 */
const GENESIS_HEADER = '010000000000000000000000000000000000000000000000000000000000000000000000'
  + 'd9ced4ed1130f7b7faad9be25323ffafa33232a17c3edf6cfd97bee6bafbdd97b9aa8e4ef0ff0f1ecd513f7c';
const GENESIS_NONCE = 2084524493;
/** scrypt(header, header) in display order (reversed), the share boundary below. */
const GENESIS_POW = '0000050c34a64b415b6b15b37f2216634b5b1669cb9a2e38d76f7213b0671e00';

const fromHex = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));

/** scrypt(N=1024, r=1, p=1, dkLen=32) of the header with nonce, display order. */
export function scryptHashAt(job: KernelJob, nonce: number): Uint8Array {
  const h = Uint8Array.from(headerJobOf(job).header);
  new DataView(h.buffer).setUint32(76, nonce, true);
  return scrypt(h, h, { N: 1024, r: 1, p: 1, dkLen: 32 }).reverse();
}

/** Display-order digest <= big-endian target. */
export function scryptIsShare(job: KernelJob, digest: Uint8Array): boolean {
  const { target } = headerJobOf(job);
  for (let i = 0; i < 32; i++) if (digest[i] !== target[i]) return digest[i] < target[i];
  return true;
}

function sharesOf(kernel: Kernel, job: HeaderJob, start: number, count: number): number[] {
  const found: number[] = [];
  kernel.prepare(job).scan(start, count, (n) => found.push(n));
  return found;
}

const same = (a: number[], b: number[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

export function checkScryptKernel(kernel: Kernel): string | null {
  try {
    // Genesis with its own PoW hash as target: the share rule is <=, so exactly the
    // genesis nonce qualifies; one below it, nothing does. The nonce bytes are garbage
    // on purpose (kernels must overwrite them). Six nonces cover a 4-lane group and a
    // short one.
    const header = fromHex(GENESIS_HEADER);
    header.fill(0xa5, 76, 80);
    const atHash = sharesOf(kernel, { algo: 'scrypt', header, target: fromHex(GENESIS_POW) }, GENESIS_NONCE - 3, 6);
    if (!same(atHash, [GENESIS_NONCE])) return `${kernel.name}: Litecoin genesis gave shares [${atHash}], want [${GENESIS_NONCE}]`;
    const below = fromHex(GENESIS_POW);
    for (let i = 31; i >= 0 && below[i]-- === 0; i--); // big-endian minus one, with borrow
    const belowHash = sharesOf(kernel, { algo: 'scrypt', header, target: below }, GENESIS_NONCE, 1);
    if (belowHash.length !== 0) return `${kernel.name}: genesis counted as a share below its own hash`;
    // A loose target (about 1 nonce in 4) over the last nonces before 2^32, against
    // the @noble/hashes reference.
    const job: HeaderJob = {
      algo: 'scrypt',
      header: Uint8Array.from({ length: 80 }, (_, i) => (i * 37 + 11) & 0xff),
      target: Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 0x40 : 0)),
    };
    const want: number[] = [];
    for (let n = 0xfffffffa; n <= 0xffffffff; n++) if (scryptIsShare(job, scryptHashAt(job, n))) want.push(n);
    const got = sharesOf(kernel, job, 0xfffffffa, 6);
    if (!same(got, want)) return `${kernel.name}: shares [${got}] at the end of the nonce space, reference [${want}]`;
    return null;
  } catch (err) {
    return `${kernel.name}: threw ${(err as Error).message}`;
  }
}
