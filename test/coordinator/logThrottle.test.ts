import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogThrottle } from '../../coordinator/logThrottle.ts';

test('one line per device per window; the held-back count rides on the next line', () => {
  const t = new LogThrottle(10_000);
  assert.equal(t.pass('a', 'bad share', 0), 'bad share');
  assert.equal(t.pass('a', 'bad share', 1_000), null);
  assert.equal(t.pass('a', 'bad share', 2_000), null);
  assert.equal(t.pass('b', 'other device', 2_000), 'other device');
  assert.equal(t.pass('a', 'bad share', 12_000), 'bad share (+2 more from it in the last 12 s)');
  assert.equal(t.pass('a', 'bad share', 23_000), 'bad share');
});

test('the number of tracked keys is bounded', () => {
  const t = new LogThrottle(10_000, 2);
  t.pass('a', 'x', 0);
  t.pass('b', 'x', 0);
  t.pass('c', 'x', 0);
  assert.equal(t.pass('a', 'x', 1), 'x', 'a was evicted, so its next line passes');
});
