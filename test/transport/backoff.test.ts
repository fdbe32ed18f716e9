import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay } from '../../transport/backoff.ts';

test('delays double per attempt within ±50 % jitter and stop at the maximum', () => {
  const p = { minMs: 1000, maxMs: 60_000 };
  assert.equal(backoffDelay(p, 0, 0.5), 1000);
  assert.equal(backoffDelay(p, 3, 0.5), 8000);
  assert.equal(backoffDelay(p, 3, 0), 4000);
  assert.equal(backoffDelay(p, 3, 0.999), 11_992);
  assert.equal(backoffDelay(p, 50, 0.5), 60_000);
});

test('two devices with different random draws reconnect at different times', () => {
  const p = { minMs: 1000, maxMs: 60_000 };
  assert.notEqual(backoffDelay(p, 4, 0.1), backoffDelay(p, 4, 0.9));
});
