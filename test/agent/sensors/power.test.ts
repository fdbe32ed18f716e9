import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FIXTURES, scratchTree } from './helpers.ts';
import { CpuUsageMeter, HwmonPower, ModelPower, PowerSelector, RaplPower, energyDeltaUj } from '../../../agent/sensors/power.ts';
import { FakeSensor } from '../../../agent/sensors/fakes.ts';
import { PROFILES } from '../../../agent/control/profiles.ts';

describe('HwmonPower', () => {
  it('reads power1_input in watts and names the chip', async () => {
    assert.deepEqual(await new HwmonPower(join(FIXTURES, 'hwmon-only')).read(), { ok: true, value: 3.2, source: 'hwmon:ina219' });
  });
  it('is a fault on a board without a power meter', async () => {
    assert.equal((await new HwmonPower(join(FIXTURES, 'pi4')).read()).ok, false);
  });
});

describe('energyDeltaUj', () => {
  it('is the plain difference while the counter grows', () => assert.equal(energyDeltaUj(100, 350, 1000), 250));
  it('adds the range when the counter wrapped', () => assert.equal(energyDeltaUj(900, 50, 1000), 150));
});

describe('RaplPower', () => {
  it('divides the package energy delta by the elapsed time and ignores sub-zones', async () => {
    const t = scratchTree('x86');
    try {
      const s = new RaplPower(t.root);
      const first = await s.read(1000);
      assert.equal(!first.ok && first.transient, true, 'the first sample is a transient fault');
      t.write('class/powercap/intel-rapl:0/energy_uj', String(1_000_000 + 12_500_000));
      t.write('class/powercap/intel-rapl:0:0/energy_uj', String(999_999_999)); // core sub-zone: must not count
      assert.deepEqual(await s.read(3500), { ok: true, value: 5, source: 'rapl' });
    } finally {
      t.cleanup();
    }
  });

  it('survives the counter wrapping at max_energy_range_uj', async () => {
    const t = scratchTree('x86');
    try {
      t.write('class/powercap/intel-rapl:0/max_energy_range_uj', '10000000');
      t.write('class/powercap/intel-rapl:0/energy_uj', '9000000');
      const s = new RaplPower(t.root);
      await s.read(0);
      t.write('class/powercap/intel-rapl:0/energy_uj', '2000000');
      const r = await s.read(1000);
      assert.equal(r.ok && r.value, 3); // (10 − 9) + 2 J in 1 s
    } finally {
      t.cleanup();
    }
  });

  it('uses psys alone when the platform exposes it', async () => {
    const t = scratchTree('x86');
    try {
      t.write('class/powercap/intel-rapl:0/energy_uj', '0');
      const { mkdirSync } = await import('node:fs');
      mkdirSync(join(t.root, 'class/powercap/intel-rapl:1'));
      t.write('class/powercap/intel-rapl:1/name', 'psys');
      t.write('class/powercap/intel-rapl:1/energy_uj', '0');
      const s = new RaplPower(t.root);
      await s.read(0);
      t.write('class/powercap/intel-rapl:0/energy_uj', '5000000');
      t.write('class/powercap/intel-rapl:1/energy_uj', '9000000');
      const r = await s.read(1000);
      assert.equal(r.ok && r.value, 9);
    } finally {
      t.cleanup();
    }
  });
});

describe('CpuUsageMeter and ModelPower', () => {
  it('turns process CPU time into busy cores', () => {
    let us = 0;
    const m = new CpuUsageMeter(() => us);
    m.sample(0);
    us = 2_500_000; // 2.5 s of CPU in 1 s of wall time
    assert.equal(m.sample(1000), 2.5);
    assert.equal(m.sample(1000), 2.5, 'a repeated sample at the same time keeps the last value');
  });

  it('reports idle_w + active_w_per_core × busy cores', async () => {
    const r = await new ModelPower(() => PROFILES.pi4, () => 2).read(0);
    assert.deepEqual(r, { ok: true, value: 3 + 0.85 * 2, source: 'model' });
  });
});

describe('PowerSelector', () => {
  it('keeps the first candidate that answers', async () => {
    const dead = new FakeSensor<number>('power', null, 'pmic');
    const hw = new FakeSensor<number>('power', 4.2, 'hwmon');
    const model = new FakeSensor<number>('power', 3, 'model');
    const s = new PowerSelector([dead, hw], model);
    assert.equal((await s.read(0)).source, 'hwmon');
    hw.fail('gone');
    const r = await s.read(1);
    assert.equal(r.ok, false, 'a later fault of the chosen source is reported, not hidden');
  });

  it('falls back to the model when no candidate answers', async () => {
    const s = new PowerSelector([new FakeSensor<number>('power', null, 'rapl')], new FakeSensor<number>('power', 3.3, 'model'));
    assert.deepEqual(await s.read(0), { ok: true, value: 3.3, source: 'model' });
  });
});
