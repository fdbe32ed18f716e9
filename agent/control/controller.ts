// The budget controller's decision: a pure function from (settings, model, state,
// inputs) to a fractional level in [0, threads]. No clock, no I/O: the loop
// (agent/budget/budgetLoop.ts) passes time in, so every case is a table test.
//
// Structure
// - Every constraint proposes a level; the tightest wins and is `limited_by`.
// - Temperature: a PI controller whose output is a power in watts; the power
//   model maps watts to a level (the feed-forward: the PI works on a plant that
//   is linear in watts, whatever the idle draw and per-core cost).
//   Tuned by IMC/lambda rules for a first-order plant (gain R °C/W, time
//   constant τ): Kp = τ/(R·λ), Ti = τ (Skogestad, "Simple analytic rules for
//   model reduction and PID controller tuning", J. Process Control 2003).
//   Anti-windup by conditional integration: the integrator only rises while the
//   temperature loop is the one holding the level (and slowly when far below
//   the setpoint), and is clamped to the actuator range [idle_w, full-load watts].
// - Power cap: the model's level for the cap (feed-forward) plus an integral
//   correction on the measured power, so a wrong model still meets the cap on average.
// - Cutoff: at temp_cutoff_c the level is 0 until the temperature is below
//   temp_target_c − hysteresis_c (cgminer's --temp-cutoff semantics).
// - Rate limit: the level rises at most ramp_up_per_s; it falls at once (safe side).
import { activeWindow, type LocalTime, type ScheduleWindow } from '../../config/schedule.ts';
import { levelFor, powerAt, type DeviceModel } from './profiles.ts';

export type LimitName = 'cutoff' | 'battery' | 'schedule' | 'sensor' | 'temp' | 'power' | 'cpu';
/** Tie order: the more fundamental reason is reported when two limits agree. */
const PRIORITY: LimitName[] = ['cutoff', 'battery', 'schedule', 'sensor', 'temp', 'power', 'cpu'];

export interface BudgetSettings {
  temp_target_c: number;
  temp_cutoff_c: number;
  hysteresis_c: number;
  target_margin_c: number;
  power_w: number;
  max_cpu_percent: number;
  pause_on_battery: boolean;
  schedule: readonly ScheduleWindow[];
  fallback_cpu_percent: number;
  ramp_up_per_s: number;
  response_s: number;
}

export interface Tuning {
  kp_w_per_c: number;
  ki_w_per_c_s: number;
  /** Integral gain of the power-cap correction, 1/s (level error in threads). */
  ki_power_per_s: number;
}

/** λ = response_s, or τ/3 but at least 4 control periods (the loop sees the plant a period late). */
export function tune(model: DeviceModel, responseS: number, intervalS: number): Tuning {
  const lambda = responseS > 0 ? responseS : Math.max(model.tau_s / 3, 4 * intervalS);
  return {
    kp_w_per_c: model.tau_s / (model.r_c_per_w * lambda),
    ki_w_per_c_s: 1 / (model.r_c_per_w * lambda),
    // ~3 s correction time. The measured power lags the level by one period, so an
    // integral gain k per period stays stable while k × (true/model watts per
    // thread) < 1: 0.3 tolerates a model 3× off. It has to be this quick on a real
    // device: the pool's duty cycle is wall-clock time, so under CPU contention a
    // level buys less CPU than the model assumes (measured: level 0.5 → 0.15 busy
    // cores with the load average at 4.8 on 2 cores).
    ki_power_per_s: Math.min(0.3, 0.3 / intervalS),
  };
}

export interface ControllerState {
  level: number;
  /** Temperature integrator in watts; null until the first good reading. */
  temp_i_w: number | null;
  /** Power-cap correction in threads. */
  power_i: number;
  cutoff: boolean;
  last_ms: number | null;
}

export const initialControllerState = (): ControllerState => ({ level: 0, temp_i_w: null, power_i: 0, cutoff: false, last_ms: null });

export interface ControlInputs {
  now_ms: number;
  local: LocalTime;
  /** null = no temperature reading (faulty, or no sensor: see temp_absent). */
  temp_c: number | null;
  /** True when the device has no temperature sensor at all and that is allowed: no temperature limit, no fallback. */
  temp_absent?: boolean;
  /** null = no power reading (the cap then relies on the model alone). */
  power_w: number | null;
  on_battery: boolean | null;
  /** Operator pause: level 0, not a throttle. */
  paused: boolean;
}

export interface Setpoints {
  temp_c: number;
  temp_cutoff_c: number;
  resume_below_c: number;
  power_w: number | null;
  max_level: number;
}

export interface Decision {
  level: number;
  limited_by: LimitName | null;
  setpoints: Setpoints;
  state: ControllerState;
}

/** Below the setpoint by more than this (°C), the integrator rises at OUTSIDE_ZONE_GAIN of its rate. */
const INTEGRATION_ZONE_C = 1;
const OUTSIDE_ZONE_GAIN = 0.25;

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

export function decideThrottle(
  s: BudgetSettings, model: DeviceModel, tuning: Tuning, threads: number, st: ControllerState, inp: ControlInputs,
): Decision {
  const dt = st.last_ms === null ? 0 : clamp((inp.now_ms - st.last_ms) / 1000, 0, 10);
  const win = activeWindow(s.schedule, inp.local);
  const sp = s.temp_target_c - s.target_margin_c;
  const resumeBelow = s.temp_target_c - s.hysteresis_c;
  const pMin = model.idle_w;
  const pMax = powerAt(model, threads);

  let cutoff = st.cutoff;
  if (inp.temp_c !== null) {
    if (inp.temp_c >= s.temp_cutoff_c) cutoff = true;
    else if (inp.temp_c < resumeBelow) cutoff = false;
  }

  const limits: { name: LimitName; level: number }[] = [];
  if (cutoff) limits.push({ name: 'cutoff', level: 0 });
  if (s.pause_on_battery && inp.on_battery === true) limits.push({ name: 'battery', level: 0 });
  if (win?.paused) limits.push({ name: 'schedule', level: 0 });
  const cpuPct = win?.max_cpu_percent ?? s.max_cpu_percent;
  limits.push({ name: win?.max_cpu_percent !== undefined ? 'schedule' : 'cpu', level: (threads * cpuPct) / 100 });
  if (inp.temp_c === null && !inp.temp_absent) limits.push({ name: 'sensor', level: (threads * s.fallback_cpu_percent) / 100 });

  const cap = win?.power_w ?? s.power_w;
  let powerLevel = Infinity;
  if (cap > 0) {
    powerLevel = clamp(levelFor(model, cap) + st.power_i, 0, threads);
    limits.push({ name: win?.power_w !== undefined ? 'schedule' : 'power', level: powerLevel });
  }

  // Temperature PI. First good reading: assume the board sits at its idle
  // equilibrium, so ambient ≈ T − R·idle_w and the power that holds the setpoint
  // is idle_w + (sp − T)/R: a bumpless start that neither winds up nor overshoots.
  let tempI = st.temp_i_w;
  let e = 0;
  let tempRaw = Infinity;
  if (inp.temp_c !== null) {
    e = sp - inp.temp_c;
    if (tempI === null) tempI = clamp(pMin + e / model.r_c_per_w, pMin, pMax);
    tempRaw = levelFor(model, tuning.kp_w_per_c * e + tempI);
    limits.push({ name: 'temp', level: clamp(tempRaw, 0, threads) });
  }

  let target = threads;
  let limitedBy: LimitName | null = null;
  for (const name of PRIORITY) {
    for (const l of limits) {
      if (l.name === name && l.level < target - 1e-9) { target = l.level; limitedBy = name; }
    }
  }
  const ramp = st.level + s.ramp_up_per_s * (dt > 0 ? dt : 1);
  let level = inp.paused ? 0 : Math.min(target, ramp);
  level = Math.round(clamp(level, 0, threads) * 1000) / 1000;

  // Integrators (after the decision, so "who holds the level" is known).
  if (tempI !== null && inp.temp_c !== null) {
    const othersMin = Math.min(threads, ramp, ...limits.filter((l) => l.name !== 'temp').map((l) => l.level));
    const tempHolds = tempRaw < othersMin && !inp.paused;
    // Far below the setpoint the bumpless start already supplies the steady-state
    // power, so full-rate integration there would count it twice and overshoot.
    // Measured with npm run bench:budget: this removed a 0.25-0.35 °C start-up
    // overshoot (Pi 4 at 35 °C, Pi 5 at 25 °C); the slow rate still removes an
    // offset left by a wrong model.
    const ki = e > INTEGRATION_ZONE_C ? tuning.ki_w_per_c_s * OUTSIDE_ZONE_GAIN : tuning.ki_w_per_c_s;
    if (e < 0 || tempHolds) tempI = clamp(tempI + ki * e * dt, pMin, pMax);
  }
  let powerI = st.power_i;
  if (cap <= 0) powerI = 0;
  else if (inp.power_w !== null && !inp.paused) {
    const ep = (cap - inp.power_w) / model.active_w_per_core;
    const othersMin = Math.min(threads, ramp, ...limits.filter((l) => l.name !== 'power' && !(l.name === 'schedule' && l.level === powerLevel)).map((l) => l.level));
    if (ep < 0 || powerLevel < othersMin) powerI = clamp(powerI + tuning.ki_power_per_s * ep * dt, -threads, threads);
  }

  return {
    level,
    limited_by: inp.paused ? null : limitedBy,
    setpoints: { temp_c: sp, temp_cutoff_c: s.temp_cutoff_c, resume_below_c: resumeBelow, power_w: cap > 0 ? cap : null, max_level: (threads * cpuPct) / 100 },
    state: { level, temp_i_w: tempI, power_i: powerI, cutoff, last_ms: inp.now_ms },
  };
}
