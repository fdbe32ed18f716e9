import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decideThrottle, initialControllerState, tune, type BudgetSettings, type ControlInputs, type ControllerState } from '../../../agent/control/controller.ts';
import { PROFILES } from '../../../agent/control/profiles.ts';

const S: BudgetSettings = {
  temp_target_c: 70, temp_cutoff_c: 80, hysteresis_c: 3, target_margin_c: 0.5, power_w: 0, max_cpu_percent: 100,
  pause_on_battery: true, schedule: [], fallback_cpu_percent: 25, ramp_up_per_s: 0.25, response_s: 0,
};
const M = PROFILES.pi4;
const TUNING = tune(M, 0, 1);
const MON_NOON = { day: 1, minute: 12 * 60 };
const IN: ControlInputs = { now_ms: 10_000, local: MON_NOON, temp_c: 50, power_w: null, on_battery: false, paused: false };
/** A controller that has been running at `level` with a settled integrator. */
const running = (level: number, extra: Partial<ControllerState> = {}): ControllerState =>
  ({ ...initialControllerState(), level, temp_i_w: 5, last_ms: 9_000, ...extra });

const decide = (s: Partial<BudgetSettings>, inp: Partial<ControlInputs>, st: ControllerState = running(4)) =>
  decideThrottle({ ...S, ...s }, M, TUNING, 4, st, { ...IN, ...inp });

describe('decideThrottle: which limit wins', () => {
  const cases: [string, Partial<BudgetSettings>, Partial<ControlInputs>, number, string | null][] = [
    ['a cool device with no limits hashes on every thread', {}, {}, 4, null],
    ['max_cpu_percent 50 gives two threads', { max_cpu_percent: 50 }, {}, 2, 'cpu'],
    ['max_cpu_percent 60 on 4 threads is fractional', { max_cpu_percent: 60 }, {}, 2.4, 'cpu'],
    ['a 5 W cap gives the model\'s level for 5 W', { power_w: 5 }, {}, 2.353, 'power'],
    ['a cap below idle power stops hashing', { power_w: 2 }, {}, 0, 'power'],
    ['the tighter of cpu and power wins (cpu)', { power_w: 5, max_cpu_percent: 50 }, {}, 2, 'cpu'],
    ['the tighter of cpu and power wins (power)', { power_w: 4, max_cpu_percent: 50 }, {}, 1.176, 'power'],
    ['a battery pauses when pause_on_battery is set', {}, { on_battery: true }, 0, 'battery'],
    ['a battery is ignored when pause_on_battery is off', { pause_on_battery: false }, { on_battery: true }, 4, null],
    ['an unknown supply does not pause', {}, { on_battery: null }, 4, null],
    ['a broken temperature sensor holds fallback_cpu_percent', {}, { temp_c: null }, 1, 'sensor'],
    ['the cutoff stops everything', {}, { temp_c: 80 }, 0, 'cutoff'],
    ['cutoff is reported before battery when both stop hashing', {}, { temp_c: 81, on_battery: true }, 0, 'cutoff'],
    ['an operator pause is level 0 and not a throttle', { max_cpu_percent: 50 }, { paused: true }, 0, null],
    ['a paused schedule window stops hashing', { schedule: [{ from: '09:00', to: '17:00', paused: true }] }, {}, 0, 'schedule'],
    ['a window\'s max_cpu_percent replaces the global one', { max_cpu_percent: 25, schedule: [{ from: '09:00', to: '17:00', max_cpu_percent: 100 }] }, {}, 4, null],
    ['a window\'s power cap is reported as schedule', { schedule: [{ from: '09:00', to: '17:00', power_w: 4 }] }, {}, 1.176, 'schedule'],
    ['a window outside its hours changes nothing', { max_cpu_percent: 50, schedule: [{ from: '20:00', to: '06:00', paused: true }] }, {}, 2, 'cpu'],
  ];
  for (const [name, s, inp, level, by] of cases) {
    it(name, () => {
      const d = decide(s, inp);
      assert.equal(d.level, level);
      assert.equal(d.limited_by, by);
    });
  }
});

describe('decideThrottle: dynamics', () => {
  it('rises at most ramp_up_per_s per second but drops at once', () => {
    assert.equal(decide({}, {}, running(1)).level, 1.25);
    assert.equal(decide({}, { now_ms: 13_000 }, running(1)).level, 2, 'four seconds since the last tick allow four steps of 0.25');
    assert.equal(decide({ max_cpu_percent: 25 }, {}, running(4)).level, 1);
  });

  it('throttles on temperature above the setpoint and reports temp', () => {
    const d = decide({}, { temp_c: 72 });
    assert.equal(d.limited_by, 'temp');
    assert.ok(d.level < 4);
    assert.equal(d.setpoints.temp_c, 69.5);
  });

  it('stays cut off between resume and cutoff, and resumes below target − hysteresis', () => {
    let st = running(4);
    const seq: [number, number, string | null][] = [[80.5, 0, 'cutoff'], [75, 0, 'cutoff'], [67.5, 0, 'cutoff'], [66.9, 0.25, null]];
    for (const [temp, level, by] of seq) {
      const d = decide({}, { temp_c: temp }, st);
      assert.equal(d.level, level, `at ${temp} °C`);
      if (by === null) assert.notEqual(d.limited_by, 'cutoff'); else assert.equal(d.limited_by, by);
      st = { ...d.state, last_ms: IN.now_ms - 1000 };
    }
  });

  it('keeps the cutoff latched while the sensor is faulty', () => {
    const d = decide({}, { temp_c: null }, running(0, { cutoff: true }));
    assert.equal(d.level, 0);
    assert.equal(d.limited_by, 'cutoff');
  });

  it('does not wind up the temperature integrator while another limit holds the level', () => {
    let st = running(2, { temp_i_w: 4 });
    for (let i = 0; i < 600; i++) st = { ...decide({ max_cpu_percent: 50 }, { temp_c: 60 }, st).state, last_ms: IN.now_ms - 1000 };
    assert.equal(st.temp_i_w, 4);
  });

  it('lets the temperature integrator fall while it is too hot, but never below idle power', () => {
    let st = running(0, { temp_i_w: 5 });
    for (let i = 0; i < 5000; i++) st = { ...decide({}, { temp_c: 75 }, st).state, last_ms: IN.now_ms - 1000 };
    assert.equal(st.temp_i_w, M.idle_w);
  });

  it('starts bumpless: the first reading sets the integrator to the power that holds the setpoint from idle', () => {
    const d = decideThrottle(S, M, TUNING, 4, initialControllerState(), { ...IN, temp_c: 59.5 });
    assert.ok(Math.abs(d.state.temp_i_w! - (M.idle_w + 10 / M.r_c_per_w)) < 1e-9);
    assert.equal(d.level, 0.25, 'and the level starts with one ramp step');
  });

  it('corrects the cap when measured power is above what the model predicts', () => {
    let st = running(2.353);
    let d = decide({ power_w: 5 }, { power_w: 6 }, st);
    for (let i = 0; i < 60; i++) {
      st = { ...d.state, last_ms: IN.now_ms - 1000 };
      d = decide({ power_w: 5 }, { power_w: 6 }, st);
    }
    assert.ok(d.level < 2.353 - 0.5, `level ${d.level} should have come down`);
    assert.equal(d.limited_by, 'power');
  });

  it('resets the power correction when the cap is removed', () => {
    const d = decide({ power_w: 0 }, { power_w: 6 }, running(2, { power_i: -1 }));
    assert.equal(d.state.power_i, 0);
  });
});
