import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket } from '../../lifecycle/tokenBucket.ts';

test('a burst is accepted, then one command per refill interval', () => {
  const b = TokenBucket.perMinute(3, 60, 0); // 1 per second after 3
  assert.deepEqual([b.take(0), b.take(0), b.take(0), b.take(0)], [true, true, true, false]);
  assert.equal(b.waitMs(0), 1000);
  assert.equal(b.take(999), false);
  assert.equal(b.take(1000), true);
  assert.equal(b.take(1500), false);
});

test('the bucket never holds more than its burst, however long it was idle', () => {
  const b = TokenBucket.perMinute(2, 600, 0);
  b.take(0); b.take(0);
  const after = [b.take(3_600_000), b.take(3_600_000), b.take(3_600_000)];
  assert.deepEqual(after, [true, true, false]);
});

test('reconfigure keeps the current fill and applies the new limits', () => {
  const b = TokenBucket.perMinute(10, 60, 0);
  for (let i = 0; i < 9; i++) b.take(0);
  b.reconfigure(1, 6, 0); // 1 token left, now 1 per 10 s
  assert.equal(b.take(0), true);
  assert.equal(b.take(9_000), false);
  assert.equal(b.take(10_000), true);
});
