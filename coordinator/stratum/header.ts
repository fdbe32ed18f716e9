// Job → block header construction for Stratum V1 (slushpool "Stratum mining
// protocol", mining.notify; byte orders confirmed by ../shared/vectors/stratum-v1.json):
//   coinbase    = coinb1 ‖ extranonce1 ‖ extranonce2 ‖ coinb2
//   merkle root = fold root = sha256d(root ‖ branch_i), from sha256d(coinbase)
//   header      = version LE ‖ prevhash (word-swapped) ‖ merkle root ‖ ntime LE ‖ nbits LE ‖ nonce LE
// Version rolling per BIP310: version = (notify_version & ~mask) | (bits & mask).
import { createHash } from 'node:crypto';
import type { StratumJobTemplate } from './messages.ts';

export function sha256d(data: Uint8Array): Buffer {
  return createHash('sha256').update(createHash('sha256').update(data).digest()).digest();
}

export function buildCoinbase(job: Pick<StratumJobTemplate, 'coinb1' | 'coinb2'>, extranonce1: string, extranonce2: string): Buffer {
  return Buffer.from(job.coinb1 + extranonce1 + extranonce2 + job.coinb2, 'hex');
}

/** Merkle root in internal byte order (as it sits in the header). Branches are used as sent. */
export function merkleRoot(coinbase: Uint8Array, branch: readonly string[]): Buffer {
  let root = sha256d(coinbase);
  for (const b of branch) root = sha256d(Buffer.concat([root, Buffer.from(b, 'hex')]));
  return root;
}

/**
 * Stratum sends prevhash as eight 32-bit words, each byte-swapped relative to the
 * header (an artefact of getwork's word order); swapping each word back gives
 * the header's wire order.
 */
export function prevhashToWire(prevhash: string): Buffer {
  const b = Buffer.from(prevhash, 'hex');
  if (b.length !== 32) throw new RangeError('prevhash must be 32 bytes');
  for (let i = 0; i < 32; i += 4) b.writeUInt32LE(b.readUInt32BE(i), i);
  return b;
}

/** BIP310: only the bits inside the negotiated mask may differ from the notify version. */
export function rollVersion(version: number, bits: number, mask: number): number {
  return ((version & ~mask) | (bits & mask)) >>> 0;
}

export interface HeaderParts {
  version: number;
  prevhash: string;
  merkleRoot: Uint8Array;
  ntime: number;
  nbits: number;
  nonce?: number;
}

/** The 80-byte header in wire order; the nonce defaults to 0 (agents overwrite bytes 76..79). */
export function buildHeader(p: HeaderParts): Buffer {
  const h = Buffer.alloc(80);
  h.writeUInt32LE(p.version >>> 0, 0);
  prevhashToWire(p.prevhash).copy(h, 4);
  Buffer.from(p.merkleRoot).copy(h, 36);
  h.writeUInt32LE(p.ntime >>> 0, 68);
  h.writeUInt32LE(p.nbits >>> 0, 72);
  h.writeUInt32LE((p.nonce ?? 0) >>> 0, 76);
  return h;
}

export interface UnitCoordinates {
  extranonce1: string;
  /** Hex of exactly extranonce2_size bytes. */
  extranonce2: string;
  /** Version bits inside the mask (0 when not rolling). */
  versionBits: number;
  /** The mask negotiated with mining.configure, or null. */
  versionMask: number | null;
  /** ntime rolled forward by a Stratum miner; the job's ntime when absent. */
  ntime?: number;
}

/** Header (nonce 0) of one carved unit of a job. */
export function headerForJob(job: StratumJobTemplate, c: UnitCoordinates): Buffer {
  const root = merkleRoot(buildCoinbase(job, c.extranonce1, c.extranonce2), job.merkleBranch);
  const version = c.versionMask === null ? job.version : rollVersion(job.version, c.versionBits, c.versionMask);
  return buildHeader({ version, prevhash: job.prevhash, merkleRoot: root, ntime: c.ntime ?? job.ntime, nbits: job.nbits });
}

export function u32Hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/**
 * mining.submit params: [worker, job_id, extranonce2, ntime, nonce] plus, when
 * version rolling was negotiated, the rolled bits (BIP310 "mining.submit"
 * 6th parameter). ntime and nonce are the big-endian hex of their u32 values.
 */
export function submitParams(worker: string, jobId: string, c: UnitCoordinates, ntime: number, nonce: number): string[] {
  const params = [worker, jobId, c.extranonce2, u32Hex(ntime), u32Hex(nonce)];
  if (c.versionMask !== null) params.push(u32Hex(c.versionBits & c.versionMask));
  return params;
}

/** Display-order hash of a header (what explorers show and targets are compared with). */
export function headerHashDisplay(header: Uint8Array): Buffer {
  return Buffer.from(sha256d(header)).reverse();
}
