import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from '../../agent/workQueue.ts';
import type { WorkUnit } from '../../protocol/workUnit.ts';

function unit(id: string, job: string, extra: Partial<WorkUnit> = {}): WorkUnit {
  return { v: 1, unit_id: id, job_id: job, algo: 'sha256d', header: '00'.repeat(80), target: 'ff'.repeat(32), nonce_start: 0, nonce_end: 9, expires_at: null, clean: false, sig: null, ...extra } as WorkUnit;
}

test('units run in arrival order', () => {
  const q = new WorkQueue(8);
  q.admit(unit('a', 'j'), 0);
  q.admit(unit('b', 'j'), 0);
  assert.equal(q.next()?.unit_id, 'a');
  assert.equal(q.next()?.unit_id, 'b');
  assert.equal(q.next(), null);
});

test('the same unit_id twice is ignored', () => {
  const q = new WorkQueue(8);
  assert.equal(q.admit(unit('a', 'j'), 0).kind, 'queued');
  assert.equal(q.admit(unit('a', 'j'), 0).kind, 'duplicate');
  assert.equal(q.length, 1);
});

test('a unit that arrives after expires_at is refused as expired', () => {
  const q = new WorkQueue(8);
  assert.equal(q.admit(unit('a', 'j', { expires_at: 1000 }), 1000).kind, 'expired');
  assert.equal(q.admit(unit('b', 'j', { expires_at: 1001 }), 1000).kind, 'queued');
});

test('a clean unit cancels queued units of other jobs and the running one, keeps its own job', () => {
  const q = new WorkQueue(8);
  q.admit(unit('a', 'old'), 0);
  q.admit(unit('b', 'new'), 0);
  q.admit(unit('c', 'old'), 0);
  q.running = unit('r', 'old');
  const d = q.admit(unit('d', 'new', { clean: true }), 0);
  assert.equal(d.kind, 'queued');
  if (d.kind !== 'queued') return;
  assert.deepEqual(d.cancelled.map((u) => u.unit_id), ['a', 'c']);
  assert.equal(d.cancelRunning, true);
  assert.deepEqual([q.next()?.unit_id, q.next()?.unit_id], ['b', 'd']);
});

test('a clean unit of the running job does not cancel it', () => {
  const q = new WorkQueue(8);
  q.running = unit('r', 'same');
  const d = q.admit(unit('d', 'same', { clean: true }), 0);
  assert.equal(d.kind === 'queued' && d.cancelRunning, false);
});

test('the queue is bounded and refuses the newest unit when full', () => {
  const q = new WorkQueue(2);
  q.admit(unit('a', 'j'), 0);
  q.admit(unit('b', 'j'), 0);
  assert.equal(q.admit(unit('c', 'j'), 0).kind, 'full');
  assert.equal(q.length, 2);
});

test('expired queued units are taken out by takeExpired', () => {
  const q = new WorkQueue(8);
  q.admit(unit('a', 'j', { expires_at: 50 }), 0);
  q.admit(unit('b', 'j'), 0);
  assert.deepEqual(q.takeExpired(60).map((u) => u.unit_id), ['a']);
  assert.equal(q.length, 1);
});
