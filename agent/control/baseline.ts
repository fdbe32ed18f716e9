// The baseline the bench compares against: on/off hysteresis as in cpuminer-opt's
// --max-temp and cgminer's --temp-hysteresis. All threads hash until the
// temperature exceeds target + h, then none until it falls below target − h. A
// watt cap becomes a whole number of threads from the power model (what an
// operator does today with --threads). Schedule, battery and cutoff behave as in
// the controller, so only the control law differs.
import { activeWindow } from '../../config/schedule.ts';
import { levelFor, type DeviceModel } from './profiles.ts';
import type { BudgetSettings, ControlInputs } from './controller.ts';

export interface HysteresisState { on: boolean; cutoff: boolean }

export function decideHysteresis(
  s: BudgetSettings, model: DeviceModel, threads: number, st: HysteresisState, inp: ControlInputs,
): { level: number; state: HysteresisState } {
  const win = activeWindow(s.schedule, inp.local);
  let { on, cutoff } = st;
  if (inp.temp_c !== null) {
    if (inp.temp_c > s.temp_target_c + s.hysteresis_c) on = false;
    else if (inp.temp_c < s.temp_target_c - s.hysteresis_c) on = true;
    if (inp.temp_c >= s.temp_cutoff_c) cutoff = true;
    else if (inp.temp_c < s.temp_target_c - s.hysteresis_c) cutoff = false;
  }
  const stopped = inp.paused || cutoff || (s.pause_on_battery && inp.on_battery === true) || win?.paused === true;
  const cpuPct = win?.max_cpu_percent ?? s.max_cpu_percent;
  let max = Math.floor((threads * cpuPct) / 100);
  const cap = win?.power_w ?? s.power_w;
  if (cap > 0) max = Math.min(max, Math.max(0, Math.floor(levelFor(model, cap))));
  return { level: stopped || !on ? 0 : max, state: { on, cutoff } };
}
