import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateMeter } from '../../agent/rateMeter.ts';

test('a steady rate reads the same in every window once the window is full', () => {
  const m = new RateMeter(0);
  for (let t = 0; t < 1000_000; t += 100) m.add(100, t); // 1000 per second for 1000 s
  const r = m.rates(1000_000);
  assert.ok(Math.abs(r['10s'] - 1000) < 20, `10s ${r['10s']}`);
  assert.ok(Math.abs(r['60s'] - 1000) < 20, `60s ${r['60s']}`);
  assert.ok(Math.abs(r['15m'] - 1000) < 20, `15m ${r['15m']}`);
  assert.equal(m.total, 1000_000);
});

test('after hashing stops the short window drops to zero before the long one', () => {
  const m = new RateMeter(0);
  for (let t = 0; t < 120_000; t += 100) m.add(100, t);
  const r = m.rates(140_000);
  assert.equal(r['10s'], 0);
  assert.ok(r['60s'] > 0 && r['60s'] < 1000);
});

test('early readings divide by the time since start, not the window', () => {
  const m = new RateMeter(0);
  for (let t = 0; t < 2000; t += 100) m.add(100, t);
  const r = m.rate('15m', 2000);
  assert.ok(Math.abs(r - 1000) < 60, `${r}`);
});
