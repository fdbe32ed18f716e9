import { test } from 'node:test';
import assert from 'node:assert/strict';
import { integrateEnergy, kwhPerDay } from '../../economics/energy.ts';

const H = 3_600_000;

test('each sample holds until the next; a steady 5 W for 2 h is 0.01 kWh, measured', () => {
  const e = integrateEnergy([{ at_ms: 0, power_w: 5, source: 'pmic' }, { at_ms: H, power_w: 5, source: 'pmic' }], H, 2 * H);
  assert.ok(Math.abs(e.kwh - 0.01) < 1e-15);
  assert.equal(e.basis, 'measured');
  assert.equal(e.covered_ms, 2 * H);
});

test('modelled watts are kept apart and a mix is reported as mixed', () => {
  const e = integrateEnergy([
    { at_ms: 0, power_w: 4, source: 'model' },
    { at_ms: H, power_w: 6, source: 'hwmon:ina219' },
  ], H, 2 * H);
  assert.ok(Math.abs(e.modelled_kwh - 0.004) < 1e-15);
  assert.ok(Math.abs(e.measured_kwh - 0.006) < 1e-15);
  assert.equal(e.basis, 'mixed');
  assert.equal(integrateEnergy([{ at_ms: 0, power_w: 4, source: 'model' }], H, H).basis, 'modelled');
});

test('a gap longer than maxGapMs is billed for maxGapMs only', () => {
  const e = integrateEnergy([{ at_ms: 0, power_w: 10, source: 'rapl' }, { at_ms: 10 * H, power_w: 10, source: 'rapl' }], 60_000);
  assert.equal(e.covered_ms, 60_000);
  assert.ok(Math.abs(e.kwh - 10 / 60 / 1000) < 1e-15);
});

test('no samples, or only the last one without an end, is no energy', () => {
  assert.equal(integrateEnergy([], H).basis, 'none');
  assert.equal(integrateEnergy([{ at_ms: 0, power_w: 3, source: 'pmic' }], H).kwh, 0);
});

test('kWh per day at a steady power', () => {
  assert.ok(Math.abs(kwhPerDay(6.4) - 0.1536) < 1e-15);
  assert.throws(() => kwhPerDay(-1), RangeError);
});
