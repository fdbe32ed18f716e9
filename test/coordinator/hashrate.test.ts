import { test } from 'node:test';
import assert from 'node:assert/strict';
import { poissonLogCdf, VerifiedHashrate, ClaimCheck, HASHRATE_WINDOW_MS } from '../../coordinator/hashrate.ts';
import { MAX_TARGET } from '../../coordinator/stratum/difficulty.ts';

test('the Poisson lower tail matches closed forms', () => {
  assert.ok(Math.abs(poissonLogCdf(0, 3) - -3) < 1e-12);
  // P(X ≤ 1 | λ=2) = e^-2 (1 + 2)
  assert.ok(Math.abs(Math.exp(poissonLogCdf(1, 2)) - 3 * Math.exp(-2)) < 1e-12);
  assert.ok(Math.exp(poissonLogCdf(100, 100)) > 0.5);
  assert.ok(poissonLogCdf(50, 100) < Math.log(1e-6));
  // Normal branch: 20 000 observed of 20 000 expected is unremarkable, 19 000 is not.
  assert.ok(poissonLogCdf(20_000, 20_000) > Math.log(0.4));
  assert.ok(poissonLogCdf(19_000, 20_000) < Math.log(1e-6));
});

test('verified hashrate is work over the window, forgetting old shares', () => {
  const h = new VerifiedHashrate(0);
  const t = MAX_TARGET >> 20n; // ~2^20 hashes per share
  for (let i = 1; i <= 10; i++) h.add(i * 1000, t);
  assert.ok(Math.abs(h.estimate(10_000) / (10 * 2 ** 20 / 10) - 1) < 1e-6);
  assert.equal(h.confident(10_000), true);
  assert.equal(h.estimate(10_000 + HASHRATE_WINDOW_MS + 1), 0);
});

test('claims within noise pass and inflated claims are flagged', () => {
  const t = MAX_TARGET >> 10n;
  const honest = new ClaimCheck();
  honest.addUnit(102_400, 102_400, t, 92); // λ = 100, a -0.8 σ draw
  assert.equal(honest.flagged, false);
  const liar = new ClaimCheck();
  liar.addUnit(102_400, 102_400, t, 40);
  assert.equal(liar.flagged, true);
});
