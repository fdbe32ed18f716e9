// Line framing of a Stratum V1 byte stream. Stratum V1 is JSON-RPC 1.0 with one
// message per line terminated by "\n" (slushpool "Stratum mining protocol" docs,
// "Protocol overview"). TCP delivers arbitrary slices, so a read may hold half a
// line, several lines, or junk; this framer turns any slicing into whole lines.
// Pure: no sockets, so every slicing is tested with tables.
import { HashlingError } from '../../protocol/errors.ts';

/**
 * 64 KiB: a mining.notify with a 20-branch merkle path is ~2 KiB; large payout
 * coinbases (hundreds of outputs) stay well under this, and a peer that never
 * sends "\n" cannot make us buffer without bound.
 */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

export interface FramedChunk {
  /** Complete lines, UTF-8 decoded, without the terminator; blank lines dropped. */
  lines: string[];
  /** One E_STRATUM error per oversized or undecodable line. */
  errors: HashlingError[];
}

const NL = 0x0a;

export class LineFramer {
  private readonly maxLineBytes: number;
  private parts: Buffer[] = [];
  private pending = 0;
  /** True while skipping the rest of an oversized line up to its "\n". */
  private discarding = false;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  constructor(maxLineBytes = DEFAULT_MAX_LINE_BYTES) {
    this.maxLineBytes = maxLineBytes;
  }

  /** Bytes buffered for a line that has not ended yet. */
  get buffered(): number {
    return this.pending;
  }

  push(chunk: Uint8Array): FramedChunk {
    const out: FramedChunk = { lines: [], errors: [] };
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    while (start <= buf.length) {
      const nl = buf.indexOf(NL, start);
      const end = nl < 0 ? buf.length : nl;
      const piece = buf.subarray(start, end);
      if (!this.discarding) {
        if (this.pending + piece.length > this.maxLineBytes) {
          out.errors.push(new HashlingError('E_STRATUM', `stratum line longer than ${this.maxLineBytes} bytes dropped`));
          this.parts = [];
          this.pending = 0;
          this.discarding = true;
        } else if (piece.length > 0) {
          // Copy: the caller may reuse its read buffer.
          this.parts.push(Buffer.from(piece));
          this.pending += piece.length;
        }
      }
      if (nl < 0) break;
      if (this.discarding) this.discarding = false;
      else this.flushLine(out);
      start = nl + 1;
    }
    return out;
  }

  private flushLine(out: FramedChunk): void {
    const bytes = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    this.parts = [];
    this.pending = 0;
    let text: string;
    try {
      text = this.decoder.decode(bytes);
    } catch {
      out.errors.push(new HashlingError('E_STRATUM', 'stratum line is not valid UTF-8'));
      return;
    }
    // Some pools terminate with "\r\n"; whitespace-only lines are keep-alives.
    const line = text.trim();
    if (line !== '') out.lines.push(line);
  }
}
