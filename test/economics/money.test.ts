import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExactSum, toCents } from '../../economics/money.ts';

test('rounding to the cent sends halves away from zero, decided on the decimal value', () => {
  assert.equal(toCents(1.005), 1.01);
  assert.equal(toCents(1.004999), 1);
  assert.equal(toCents(-1.005), -1.01);
  assert.equal(toCents(0.0049), 0);
  assert.equal(toCents(123456.785), 123456.79);
});

test('the compensated sum keeps what a naive sum of many small amounts loses', () => {
  const s = new ExactSum();
  let naive = 0;
  s.add(1e8); naive += 1e8;
  for (let i = 0; i < 1_000_000; i++) { s.add(1e-9); naive += 1e-9; }
  assert.ok(Math.abs(s.value - (1e8 + 1e-3)) < 1e-7, String(s.value));
  assert.ok(Math.abs(naive - (1e8 + 1e-3)) > 1e-4, 'the naive sum should have lost the small terms');
});
