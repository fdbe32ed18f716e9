// The bounded queue behind MqttLink.publishReliable: messages that must not be
// lost (shares, results) wait here until the broker has them (PUBACK) and, for
// messages with an ack key (shares), until the receiver says it has them too.
// A broker that crashes after its PUBACK loses what it held in memory, so a
// PUBACK alone does not end a share's life: an unacknowledged share goes out
// again after every reconnect and after resend_ms (the receiver deduplicates).
// Pure: no timers, no I/O; time comes in as arguments.
//
// Bounds: at most `limit` entries (beyond it the oldest entry not on the wire is
// dropped and counted: E_OUTBOX_OVERFLOW names the count), and at most `window`
// on the wire at once, so a share storm cannot pile unbounded publishes into the
// MQTT client.

export type EntryState = 'queued' | 'inflight' | 'delivered';

export interface OutboxEntry {
  readonly id: number;
  readonly topic: string;
  readonly payload: string;
  /** Set for messages the receiver acknowledges (a share: "<unit_id>/<nonce>"). */
  readonly ackKey: string | null;
  state: EntryState;
  /** Bumped per send, so a late PUBACK callback of a dead connection cannot settle a newer send. */
  sendSeq: number;
  /** When the broker last acknowledged it (state delivered). */
  deliveredAt: number;
}

export interface OutboxOptions {
  limit: number;
  /** Most entries on the wire at once. */
  window: number;
  /** Called for every entry that leaves (delivered, acknowledged or dropped): a store forgets it. */
  onRemove?: (entry: OutboxEntry) => void;
}

/** What a store keeps of an entry to restore it after a restart. */
export interface StoredEntry {
  id: number;
  topic: string;
  payload: string;
  ackKey: string | null;
}

export class Outbox {
  private readonly o: OutboxOptions;
  private readonly entries: OutboxEntry[] = [];
  private readonly byAck = new Map<string, OutboxEntry>();
  private nextId = 1;
  private inflightCount = 0;
  /** Entries dropped because the outbox was full, since creation. */
  dropped = 0;

  constructor(opts: OutboxOptions) {
    this.o = opts;
  }

  get length(): number {
    return this.entries.length;
  }

  /** Entries the broker has not acknowledged yet. */
  get undelivered(): number {
    return this.entries.filter((e) => e.state !== 'delivered').length;
  }

  /** Puts back entries a store kept (they go out again, oldest first). */
  restore(stored: readonly StoredEntry[]): void {
    for (const s of stored) {
      if (s.ackKey !== null && this.byAck.has(s.ackKey)) continue;
      const entry: OutboxEntry = { id: s.id, topic: s.topic, payload: s.payload, ackKey: s.ackKey, state: 'queued', sendSeq: 0, deliveredAt: 0 };
      this.entries.push(entry);
      if (s.ackKey !== null) this.byAck.set(s.ackKey, entry);
      this.nextId = Math.max(this.nextId, s.id + 1);
    }
  }

  /** Adds a message; returns the entry dropped to make room, if any, and the new entry (null for a repeat). */
  add(topic: string, payload: string, ackKey: string | null): OutboxEntry | null {
    return this.push(topic, payload, ackKey).dropped;
  }

  /** add(), also returning the entry created (null when the same ack key was already queued). */
  push(topic: string, payload: string, ackKey: string | null): { dropped: OutboxEntry | null; entry: OutboxEntry | null } {
    let droppedEntry: OutboxEntry | null = null;
    if (this.entries.length >= this.o.limit) {
      // Oldest first; an entry on the wire stays (its PUBACK callback refers to it).
      const idx = this.entries.findIndex((e) => e.state !== 'inflight');
      if (idx >= 0) {
        droppedEntry = this.entries[idx];
        this.remove(idx);
        this.dropped++;
      }
    }
    if (ackKey !== null) {
      const old = this.byAck.get(ackKey);
      // The same share twice (a re-run batch) is one message.
      if (old) return { dropped: droppedEntry, entry: null };
    }
    const entry: OutboxEntry = { id: this.nextId++, topic, payload, ackKey, state: 'queued', sendSeq: 0, deliveredAt: 0 };
    this.entries.push(entry);
    if (ackKey !== null) this.byAck.set(ackKey, entry);
    return { dropped: droppedEntry, entry };
  }

  /** Queued entries to put on the wire now, oldest first, within the window; marks them inflight. */
  takeSendable(): OutboxEntry[] {
    const out: OutboxEntry[] = [];
    for (const e of this.entries) {
      if (this.inflightCount >= this.o.window) break;
      if (e.state !== 'queued') continue;
      e.state = 'inflight';
      e.sendSeq++;
      this.inflightCount++;
      out.push(e);
    }
    return out;
  }

  /** The broker's PUBACK for a send: done, or delivered-awaiting-ack. Ignores stale callbacks. */
  onPuback(entry: OutboxEntry, seq: number, now: number): void {
    if (entry.sendSeq !== seq || entry.state !== 'inflight') return;
    if (entry.ackKey === null) {
      const i = this.entries.indexOf(entry);
      if (i >= 0) this.remove(i); // also leaves the window
      return;
    }
    this.inflightCount--;
    entry.state = 'delivered';
    entry.deliveredAt = now;
  }

  /** A send that failed (connection lost before PUBACK): back to queued. */
  onSendFailed(entry: OutboxEntry, seq: number): void {
    if (entry.sendSeq !== seq || entry.state !== 'inflight') return;
    this.inflightCount--;
    entry.state = 'queued';
  }

  /** The receiver has the message: it leaves the outbox. True when it was there. */
  ack(key: string): boolean {
    const e = this.byAck.get(key);
    if (!e) return false;
    const i = this.entries.indexOf(e);
    if (i >= 0) this.remove(i);
    return true;
  }

  /**
   * A new connection: nothing is on the wire any more, and what the broker
   * acknowledged but the receiver never confirmed may have died with the broker.
   */
  onReconnect(): void {
    for (const e of this.entries) {
      if (e.state === 'inflight' || e.state === 'delivered') e.state = 'queued';
      e.sendSeq++;
    }
    this.inflightCount = 0;
  }

  /** Delivered entries still unacknowledged after resendMs go out again (the receiver may never have had them). */
  requeueUnacked(now: number, resendMs: number): number {
    let n = 0;
    for (const e of this.entries) {
      if (e.state === 'delivered' && now - e.deliveredAt >= resendMs) {
        e.state = 'queued';
        n++;
      }
    }
    return n;
  }

  /** Every entry, oldest first (persistence, tests). */
  snapshot(): readonly OutboxEntry[] {
    return this.entries;
  }

  private remove(i: number): void {
    const [e] = this.entries.splice(i, 1);
    if (e.state === 'inflight') this.inflightCount--;
    if (e.ackKey !== null && this.byAck.get(e.ackKey) === e) this.byAck.delete(e.ackKey);
    this.o.onRemove?.(e);
  }
}
