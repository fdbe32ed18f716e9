// The controller against the simulated plant (agent/control/thermalPlant.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { simulate, type SimOptions } from '../../../agent/control/simulate.ts';
import { PROFILES } from '../../../agent/control/profiles.ts';
import { PLANT_DEFAULTS, firmwareClock, stepPlant, type PlantParams } from '../../../agent/control/thermalPlant.ts';
import type { BudgetSettings } from '../../../agent/control/controller.ts';

const M = PROFILES.pi4;
const S: BudgetSettings = {
  temp_target_c: 70, temp_cutoff_c: 80, hysteresis_c: 3, target_margin_c: 0.5, power_w: 0, max_cpu_percent: 100,
  pause_on_battery: true, schedule: [], fallback_cpu_percent: 25, ramp_up_per_s: 0.25, response_s: 0,
};
const plant = (p: Partial<PlantParams> = {}): PlantParams => ({
  ...PLANT_DEFAULTS, ambient_c: 25, r_c_per_w: M.r_c_per_w, tau_s: M.tau_s, idle_w: M.idle_w,
  active_w_per_core: M.active_w_per_core, threads: 4, hps_per_core: 1e6, ...p,
});
const run = (o: Partial<SimOptions>) => simulate({ plant: plant(), settings: S, model: M, law: 'controller', seconds: 3 * 3600, ...o });

describe('thermal plant', () => {
  it('settles at ambient + R × power', () => {
    let t = 25;
    for (let i = 0; i < 20_000; i++) t = stepPlant(plant(), t, 4, 1).temp_c;
    assert.ok(Math.abs(t - 80.0) < 0.5, `Pi 4 at full load and 25 °C ends near the 80 °C throttle point, got ${t}`);
  });
  it('throttles the clock like the firmware between 80 and 85 °C', () => {
    assert.deepEqual([79.9, 80, 82.5, 85, 90].map((t) => firmwareClock(plant(), t)), [1, 1, 0.8, 0.4, 0.4]);
  });
});

describe('controller on the simulated Pi 4', () => {
  for (const ambient of [25, 35]) {
    it(`holds ${ambient} °C ambient within 1 °C of the target without overshooting it`, () => {
      const r = run({ plant: plant({ ambient_c: ambient }) });
      assert.ok(Math.abs(r.mean_temp_settled_c - 69.5) < 0.5, `mean ${r.mean_temp_settled_c}`);
      assert.ok(r.max_overshoot_settled_c <= 1, `overshoot ${r.max_overshoot_settled_c}`);
    });
  }

  it('spends far less time above the target than the on/off baseline', () => {
    const c = run({});
    const h = run({ law: 'hysteresis' });
    assert.ok(c.seconds_above_target * 10 < h.seconds_above_target, `${c.seconds_above_target} vs ${h.seconds_above_target}`);
  });

  it('out-hashes the on/off law held to the same safety (band below the target) by ≥ 15 %', () => {
    const p = plant({ ambient_c: 30 });
    const c = run({ plant: p });
    const safe = run({ plant: p, law: 'hysteresis', settings: { ...S, temp_target_c: 67 }, judgeTargetC: 70 });
    assert.ok(c.total_hashes >= 1.15 * safe.total_hashes, `${c.total_hashes} vs ${safe.total_hashes}`);
    assert.ok(c.seconds_above_target <= safe.seconds_above_target, `${c.seconds_above_target} s vs ${safe.seconds_above_target} s above target`);
  });

  it('holds a watt cap on average within 2 %, and beats whole threads on hashes', () => {
    const c = run({ plant: plant({ ambient_c: 20 }), settings: { ...S, power_w: 5 } });
    const h = run({ plant: plant({ ambient_c: 20 }), settings: { ...S, power_w: 5 }, law: 'hysteresis' });
    assert.ok(Math.abs(c.mean_capped_power_w! - 5) / 5 < 0.02, `mean ${c.mean_capped_power_w}`);
    assert.ok(c.total_hashes > 1.15 * h.total_hashes);
  });

  it('holds the cap on measured power when the model is 2× off', () => {
    const c = run({ plant: plant({ ambient_c: 10, active_w_per_core: 2 * M.active_w_per_core }), settings: { ...S, power_w: 5 } });
    assert.ok(Math.abs(c.mean_capped_power_w! - 5) / 5 < 0.02, `mean ${c.mean_capped_power_w}`);
  });

  for (const [name, p] of [['R ×2', { ambient_c: 5, r_c_per_w: 2 * M.r_c_per_w }], ['τ ×2', { tau_s: 2 * M.tau_s }], ['τ ×½', { tau_s: M.tau_s / 2 }]] as const) {
    it(`still settles within 1 °C when the plant's ${name} differs from the profile`, () => {
      const r = run({ plant: plant(p) });
      assert.ok(Math.abs(r.mean_temp_settled_c - 69.5) < 1, `mean ${r.mean_temp_settled_c}`);
      assert.ok(r.max_overshoot_settled_c <= 1, `overshoot ${r.max_overshoot_settled_c}`);
    });
  }

  it('resumes full speed when the room cools', () => {
    let last = { level: 0, limited_by: 'x' as string | null };
    run({ plant: plant(), ambient: (t) => (t < 3600 ? 30 : 5), seconds: 3 * 3600, onTick: (t) => { last = t; } });
    assert.equal(last.level, 4);
    assert.equal(last.limited_by, null);
  });
});
