// The link's outbox: bounded, a window on the wire, results done at PUBACK,
// shares only at the receiver's ack, everything unacknowledged again after a
// reconnect or the resend time; and its journal on disk. Time is passed in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Outbox } from '../../transport/outbox.ts';
import { OutboxJournal } from '../../transport/outboxJournal.ts';
import { FakeClock } from '../helpers/fakeClock.ts';

test('at most `window` entries are on the wire; a PUBACK frees a place', () => {
  const o = new Outbox({ limit: 100, window: 2 });
  for (let i = 0; i < 5; i++) o.add('t/results', `r${i}`, null);
  const first = o.takeSendable();
  assert.deepEqual(first.map((e) => e.payload), ['r0', 'r1']);
  assert.deepEqual(o.takeSendable(), [], 'the window is full');
  o.onPuback(first[0]!, first[0]!.sendSeq, 0);
  assert.deepEqual(o.takeSendable().map((e) => e.payload), ['r2']);
  assert.equal(o.length, 4, 'a result leaves at its PUBACK');
});

test('a share stays after its PUBACK until the receiver acknowledges it, and goes again after resend_ms', () => {
  const clock = new FakeClock(0);
  const o = new Outbox({ limit: 100, window: 8 });
  o.add('t/shares', 's1', 'u/1');
  const [e] = o.takeSendable();
  o.onPuback(e!, e!.sendSeq, clock.now());
  assert.equal(o.length, 1);
  assert.equal(o.undelivered, 0);
  clock.advance(29_999);
  assert.equal(o.requeueUnacked(clock.now(), 30_000), 0);
  clock.advance(1);
  assert.equal(o.requeueUnacked(clock.now(), 30_000), 1, 'no ack after 30 s: it goes again');
  const [again] = o.takeSendable();
  assert.equal(again!.payload, 's1');
  assert.equal(o.ack('u/1'), true);
  assert.equal(o.length, 0);
  assert.equal(o.ack('u/1'), false, 'a second ack is a no-op');
});

test('a reconnect sends again everything not acknowledged, in order; stale callbacks of the old connection are ignored', () => {
  const o = new Outbox({ limit: 100, window: 8 });
  o.add('t/shares', 's1', 'u/1');
  o.add('t/results', 'r1', null);
  o.add('t/shares', 's2', 'u/2');
  const sent = o.takeSendable();
  o.onPuback(sent[0]!, sent[0]!.sendSeq, 0); // s1 delivered, r1 and s2 in flight
  const staleSeq = sent[1]!.sendSeq;
  o.onReconnect();
  o.onPuback(sent[1]!, staleSeq, 0); // the dead connection's late PUBACK
  assert.deepEqual(o.takeSendable().map((e) => e.payload), ['s1', 'r1', 's2']);
});

test('a full outbox drops the oldest entry not on the wire and counts only real drops; one share key is one entry', () => {
  const o = new Outbox({ limit: 3, window: 1 });
  o.add('t', 'a', null);
  o.takeSendable(); // a is on the wire
  o.add('t', 'b', null);
  o.add('t', 'c', null);
  assert.equal(o.dropped, 0);
  const dropped = o.add('t', 'd', null);
  assert.equal(dropped?.payload, 'b', 'the oldest not on the wire');
  assert.equal(o.dropped, 1);
  assert.equal(o.length, 3);
  const s = new Outbox({ limit: 10, window: 1 });
  s.add('t/shares', 'x', 'u/7');
  s.add('t/shares', 'x', 'u/7');
  assert.equal(s.length, 1);
  assert.equal(s.dropped, 0);
});

test('the journal gives back what was not acknowledged, in order, across a restart; a cut line is skipped', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hashling-journal-'));
  const path = join(dir, 'outbox.jsonl');
  const journal = new OutboxJournal(path);
  assert.deepEqual(journal.open(), []);
  const o = new Outbox({ limit: 100, window: 8, onRemove: (e) => journal.removed(e.id, () => [...o.snapshot()]) });
  for (const [p, k] of [['s1', 'u/1'], ['r1', null], ['s2', 'u/2'], ['s3', 'u/3']] as const) {
    const { entry } = o.push('t', p, k);
    journal.added(entry!);
  }
  o.ack('u/2');
  const [s1, r1] = o.takeSendable();
  o.onPuback(r1!, r1!.sendSeq, 0); // the result leaves at its PUBACK
  void s1;
  journal.close();
  appendFileSync(path, '{"a":{"id":99,"topic":"t","pay'); // a crash mid-write
  const lines: string[] = [];
  const again = new OutboxJournal(path, (l) => lines.push(l));
  const restored = again.open();
  assert.deepEqual(restored.map((e) => e.payload), ['s1', 's3']);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /1 unreadable line/);
  assert.equal(readFileSync(path, 'utf8').split('\n').filter(Boolean).length, 2, 'compacted on open');
  const o2 = new Outbox({ limit: 100, window: 8 });
  o2.restore(restored);
  assert.deepEqual(o2.takeSendable().map((e) => e.payload), ['s1', 's3']);
  assert.equal(o2.push('t', 'new', null).entry!.id > 4, true, 'new ids continue after the restored ones');
  again.close();
});
