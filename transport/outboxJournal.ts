// The outbox kept on disk (health.state_dir), so shares and results an agent
// found survive its own crash or restart and go out when it is back. An
// append-only journal: one line per added entry, one per entry that left; it is
// compacted (rewritten with the live entries, temp file + rename) when it grows
// past a few times the live count, and at every start. Appends are plain writes
// (the page cache survives a process crash); an fdatasync every second bounds
// what a power cut can take.
import { closeSync, existsSync, fdatasyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import type { StoredEntry } from './outbox.ts';

type Line = { a: StoredEntry } | { r: number };

export class OutboxJournal {
  private fd: number | null = null;
  private lines = 0;
  private live = 0;
  private dirty = false;

  constructor(private readonly path: string, private readonly log: (line: string) => void = () => {}) {}

  /** Reads what the journal holds (oldest first) and starts a compacted journal with it. */
  open(): StoredEntry[] {
    const entries = new Map<number, StoredEntry>();
    if (existsSync(this.path)) {
      let bad = 0;
      for (const text of readFileSync(this.path, 'utf8').split('\n')) {
        if (text === '') continue;
        try {
          const l = JSON.parse(text) as Line;
          if ('a' in l) entries.set(l.a.id, l.a);
          else entries.delete(l.r);
        } catch {
          bad++; // a line cut by a crash mid-write
        }
      }
      if (bad > 0) this.log(`warning E_INTERNAL: ${bad} unreadable line(s) in ${this.path} skipped`);
    }
    const kept = [...entries.values()].sort((x, y) => x.id - y.id);
    this.rewrite(kept);
    return kept;
  }

  added(e: StoredEntry): void {
    this.write({ a: { id: e.id, topic: e.topic, payload: e.payload, ackKey: e.ackKey } });
    this.live++;
  }

  removed(id: number, liveNow: () => StoredEntry[]): void {
    this.write({ r: id });
    this.live = Math.max(0, this.live - 1);
    if (this.lines > 4 * this.live + 1000) this.rewrite(liveNow());
  }

  /** Flushes to the device (called every second by the link, and at close). */
  sync(): void {
    if (this.fd === null || !this.dirty) return;
    this.dirty = false;
    try {
      fdatasyncSync(this.fd);
    } catch (err) {
      this.log(`warning E_INTERNAL: cannot sync ${this.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }

  close(): void {
    this.sync();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private write(line: Line): void {
    if (this.fd === null) return;
    try {
      writeSync(this.fd, `${JSON.stringify(line)}\n`);
      this.lines++;
      this.dirty = true;
    } catch (err) {
      // A full disk: the outbox in memory still holds the entry; only a crash could lose it now.
      this.log(`warning E_INTERNAL: cannot write ${this.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }

  private rewrite(entries: StoredEntry[]): void {
    if (this.fd !== null) closeSync(this.fd);
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      for (const e of entries) writeSync(fd, `${JSON.stringify({ a: e })}\n`);
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    this.fd = openSync(this.path, 'a', 0o600);
    this.lines = entries.length;
    this.live = entries.length;
  }
}
