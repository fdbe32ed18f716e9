// budget.* — the thermal and power budget (agent/control, agent/budget). Every
// key here is also settable live with the `budget/set` command (issue 6).
import type { SectionSpec } from './schema.ts';
import { scheduleProblems, type ScheduleWindow } from '../agent/control/schedule.ts';
import { PROFILE_NAMES, type ProfileName } from '../agent/control/profiles.ts';

// Validators are named functions: convict prints their message to the operator,
// and getFormat() falls back to typeof default for env coercion (numbers are
// parseFloat'ed, the schedule array is JSON.parse'd).
function celsius(val: unknown): void {
  if (typeof val !== 'number' || !Number.isFinite(val) || val < 0 || val > 125) throw new Error('must be a temperature in °C within [0, 125]');
}
function nonNegative(val: unknown): void {
  if (typeof val !== 'number' || !Number.isFinite(val) || val < 0) throw new Error('must be a number ≥ 0');
}
function positive(val: unknown): void {
  if (typeof val !== 'number' || !Number.isFinite(val) || val <= 0) throw new Error('must be a number > 0');
}
function percent(val: unknown): void {
  if (typeof val !== 'number' || !(val >= 0 && val <= 100)) throw new Error('must be a percentage within [0, 100]');
}
function schedule(val: unknown): void {
  const problems = scheduleProblems(val);
  if (problems.length > 0) throw new Error(problems.join('; '));
}
function dutyPeriod(val: unknown): void {
  if (!Number.isInteger(val) || (val as number) < 20 || (val as number) > 250) throw new Error('must be an integer number of ms within [20, 250]');
}

export const budget: SectionSpec = {
  temp_target_c: { doc: 'Temperature the controller holds the SoC at (°C); it aims target_margin_c below it.', format: celsius, default: 70 },
  temp_cutoff_c: { doc: 'Hard stop (°C): at or above it hashing stops until the temperature falls below temp_target_c − hysteresis_c.', format: celsius, default: 80 },
  hysteresis_c: { doc: 'Resume band below the target after a cutoff (°C); also the band of the on/off baseline in the bench.', format: positive, default: 3 },
  target_margin_c: { doc: 'How far below temp_target_c the controller aims (°C), so sensor noise does not cross the target.', format: nonNegative, default: 0.5 },
  power_w: { doc: 'Whole-device power cap in watts; 0 = no cap.', format: nonNegative, default: 0 },
  max_cpu_percent: { doc: 'Upper bound on hashing, in percent of hashing.threads (fractional: 50 on 3 threads = 1.5 threads).', format: percent, default: 100 },
  pause_on_battery: { doc: 'Stop hashing while the device runs on battery (sysfs power_supply reports Discharging / AC offline).', format: Boolean, default: true },
  schedule: {
    doc: 'Time windows with their own limits, JSON array of {days?:["mon",…], from:"HH:MM", to:"HH:MM", max_cpu_percent?, power_w?, paused?}; local time; first match wins; to < from wraps midnight. See docs/budget.md.',
    format: schedule, default: [] as ScheduleWindow[],
  },
  profile: { doc: `Device profile for the power and thermal model: auto (from the device tree) or one of ${PROFILE_NAMES.join(', ')}.`, format: ['auto', ...PROFILE_NAMES], default: 'auto' },
  idle_w: { doc: 'Power model: device power with no hashing (W); 0 = from the profile.', format: nonNegative, default: 0 },
  active_w_per_core: { doc: 'Power model: extra watts per fully busy core (W); 0 = from the profile.', format: nonNegative, default: 0 },
  thermal_r_c_per_w: { doc: 'Thermal model used to tune the controller: °C of rise per watt; 0 = from the profile.', format: nonNegative, default: 0 },
  thermal_tau_s: { doc: 'Thermal model used to tune the controller: time constant in s; 0 = from the profile.', format: nonNegative, default: 0 },
  response_s: { doc: 'Closed-loop time constant of the temperature controller (s); 0 = a third of thermal_tau_s (at least 4 ticks).', format: nonNegative, default: 0 },
  ramp_up_per_s: { doc: 'Fastest rise of the level, in threads per second (drops are immediate); limits current steps on weak supplies.', format: positive, default: 0.25 },
  require_temp_sensor: { doc: 'When no temperature sensor exists at all (many VMs and x86 boxes), hold fallback_cpu_percent instead of hashing without a temperature limit. A sensor that worked and then fails always falls back.', format: Boolean, default: false },
  fallback_cpu_percent: { doc: 'Level (percent of threads) while the temperature sensor is faulty; the controller never runs unbounded on a broken sensor.', format: percent, default: 25 },
  interval_ms: { doc: 'Control loop period (ms).', format: 'positive-int', default: 1000 },
  duty_period_ms: { doc: 'Duty-cycle period of the fractional thread (ms, ≤ 250): it hashes duty × period, then sleeps.', format: dutyPeriod, default: 200 },
};

/** The typed shape of config.budget. */
export interface BudgetConfig {
  temp_target_c: number; temp_cutoff_c: number; hysteresis_c: number; target_margin_c: number;
  power_w: number; max_cpu_percent: number; pause_on_battery: boolean; schedule: ScheduleWindow[];
  profile: 'auto' | ProfileName; idle_w: number; active_w_per_core: number;
  thermal_r_c_per_w: number; thermal_tau_s: number; response_s: number; ramp_up_per_s: number;
  fallback_cpu_percent: number; interval_ms: number; duty_period_ms: number; require_temp_sensor: boolean;
}
