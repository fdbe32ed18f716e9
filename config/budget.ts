// Section `budget`: the thermal and power budget (agent/control, agent/budget).
// Every key is also settable live with the `budget/set` command and config/set.
import { bool, intIn, json, numberIn, oneOf } from './formats.ts';
import { scheduleProblems, type ScheduleWindow } from './schedule.ts';
import { key } from './spec.ts';

/** Device profiles of the power and thermal model (agent/control/profiles.ts holds their figures). */
export const PROFILE_NAMES = ['pi3', 'pi4', 'pi5', 'zero2', 'generic'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

const celsius = numberIn(0, 125);
const watts = numberIn(0, 10_000);
const percent = numberIn(0, 100);

export const budget = {
  temp_target_c: key({ doc: 'Temperature the controller holds the SoC at (°C); it aims target_margin_c below it.', format: celsius, default: 70, remote: true }),
  temp_cutoff_c: key({ doc: 'Hard stop (°C), above temp_target_c: at or above it hashing stops until the temperature falls below temp_target_c − hysteresis_c.', format: celsius, default: 80, remote: true }),
  hysteresis_c: key({ doc: 'Resume band below the target after a cutoff (°C); also the band of the on/off baseline in the bench.', format: numberIn(0, 50, true), default: 3, remote: true }),
  target_margin_c: key({ doc: 'How far below temp_target_c the controller aims (°C), so sensor noise does not cross the target.', format: numberIn(0, 20), default: 0.5, remote: true }),
  power_w: key({ doc: 'Whole-device power cap in watts; 0 = no cap.', format: watts, default: 0, remote: true }),
  max_cpu_percent: key({ doc: 'Upper bound on hashing, in percent of hashing.threads (fractional: 50 on 3 threads = 1.5 threads).', format: percent, default: 100, remote: true }),
  pause_on_battery: key({ doc: 'Stop hashing while the device runs on battery (sysfs power_supply reports Discharging / AC offline).', format: bool, default: true, remote: true }),
  schedule: key<ScheduleWindow[]>({
    doc: 'Time windows with their own limits, JSON array of {days?:["mon",…], from:"HH:MM", to:"HH:MM", max_cpu_percent?, power_w?, paused?}; local time; first match wins; to < from wraps midnight. See docs/budget.md.',
    format: json<ScheduleWindow[]>('schedule', scheduleProblems), default: [], remote: true,
  }),
  profile: key({ doc: `Device profile for the power and thermal model: auto (from the device tree) or one of ${PROFILE_NAMES.join(', ')}.`, format: oneOf(['auto', ...PROFILE_NAMES]), default: 'auto', remote: true }),
  idle_w: key({ doc: 'Power model: device power with no hashing (W); 0 = from the profile.', format: watts, default: 0, remote: true }),
  active_w_per_core: key({ doc: 'Power model: extra watts per fully busy core (W); 0 = from the profile.', format: watts, default: 0, remote: true }),
  thermal_r_c_per_w: key({ doc: 'Thermal model used to tune the controller: °C of rise per watt; 0 = from the profile.', format: numberIn(0, 1000), default: 0, remote: true }),
  thermal_tau_s: key({ doc: 'Thermal model used to tune the controller: time constant in s; 0 = from the profile.', format: numberIn(0, 86_400), default: 0, remote: true }),
  response_s: key({ doc: 'Closed-loop time constant of the temperature controller (s); 0 = a third of thermal_tau_s (at least 4 ticks).', format: numberIn(0, 86_400), default: 0, remote: true }),
  ramp_up_per_s: key({ doc: 'Fastest rise of the level, in threads per second (drops are immediate); limits current steps on weak supplies.', format: numberIn(0, 1024, true), default: 0.25, remote: true }),
  require_temp_sensor: key({ doc: 'When no temperature sensor exists at all (many VMs and x86 boxes), hold fallback_cpu_percent instead of hashing without a temperature limit. A sensor that worked and then fails always falls back.', format: bool, default: false, remote: true }),
  fallback_cpu_percent: key({ doc: 'Level (percent of threads) while the temperature sensor is faulty; the controller never runs unbounded on a broken sensor.', format: percent, default: 25, remote: true }),
  interval_ms: key({ doc: 'Control loop period (ms, 50 to 60000).', format: intIn(50, 60_000), default: 1000, remote: true }),
  duty_period_ms: key({ doc: 'Duty-cycle period of the fractional thread (ms, 20 to 250): it hashes duty × period, then sleeps.', format: intIn(20, 250), default: 200, remote: true }),
};
