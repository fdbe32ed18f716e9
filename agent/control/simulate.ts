// Runs a control law against the simulated plant and measures the outcome. Used
// by the plant tests and by `npm run bench:budget`. Pure: simulated time only.
import { decideThrottle, initialControllerState, tune, type BudgetSettings, type ControllerState } from './controller.ts';
import { decideHysteresis, type HysteresisState } from './baseline.ts';
import type { DeviceModel } from './profiles.ts';
import type { LocalTime } from '../../config/schedule.ts';
import { seededRandom, senseTemperature, stepPlant, type PlantParams } from './thermalPlant.ts';

export type Law = 'controller' | 'hysteresis';

export interface SimOptions {
  plant: PlantParams;
  /** Ambient over simulated time (s); default plant.ambient_c. */
  ambient?: (tS: number) => number;
  settings: BudgetSettings;
  /** What the controller believes (the profile); the plant may differ. */
  model: DeviceModel;
  law: Law;
  seconds: number;
  intervalS?: number;
  /** Simulated wall clock start (UTC), for schedules. */
  startMs?: number;
  /** Default: idle equilibrium at the starting ambient. */
  startTempC?: number;
  seed?: number;
  /** Overshoot "after settling" ignores the first settleS seconds. */
  settleS?: number;
  /** Target that overshoot and time above it are measured against; default settings.temp_target_c. */
  judgeTargetC?: number;
  /** Called every tick (traces in tests). */
  onTick?: (t: { t_s: number; temp_c: number; level: number; power_w: number; limited_by: string | null }) => void;
}

export interface SimResult {
  law: Law;
  max_temp_c: number;
  max_overshoot_c: number;
  max_overshoot_settled_c: number;
  seconds_above_target: number;
  mean_temp_settled_c: number;
  total_hashes: number;
  mean_power_w: number;
  hashes_per_joule: number;
  /** Mean power over the ticks where a cap applied and the law was holding it (level > 0). */
  mean_capped_power_w: number | null;
}

/** UTC wall-clock parts, so simulated schedules do not depend on the host's time zone. */
export function utcLocal(ms: number): LocalTime {
  const d = new Date(ms);
  return { day: d.getUTCDay(), minute: d.getUTCHours() * 60 + d.getUTCMinutes() };
}

const SUBSTEPS = 4;

export function simulate(o: SimOptions): SimResult {
  const dt = o.intervalS ?? 1;
  const rand = seededRandom(o.seed ?? 1);
  const ambient = o.ambient ?? (() => o.plant.ambient_c);
  const tuning = tune(o.model, o.settings.response_s, dt);
  const settle = o.settleS ?? 900;
  const start = o.startMs ?? Date.UTC(2025, 0, 6); // a Monday, 00:00 UTC
  let temp = o.startTempC ?? ambient(0) + o.plant.r_c_per_w * o.plant.idle_w;
  let power = o.plant.idle_w;
  let cs: ControllerState = initialControllerState();
  let hs: HysteresisState = { on: true, cutoff: false };
  const target = o.judgeTargetC ?? o.settings.temp_target_c;
  let maxTemp = -Infinity, maxOver = -Infinity, maxOverSettled = -Infinity, above = 0;
  let hashes = 0, energy = 0, tempSum = 0, tempN = 0, capEnergy = 0, capTime = 0;
  for (let t = 0; t < o.seconds; t += dt) {
    const now = start + t * 1000;
    const inputs = { now_ms: now, local: utcLocal(now), temp_c: senseTemperature(o.plant, temp, rand), power_w: power, on_battery: false, paused: false };
    let level: number;
    let limitedBy: string | null = null;
    let capped = false;
    if (o.law === 'controller') {
      const d = decideThrottle(o.settings, o.model, tuning, o.plant.threads, cs, inputs);
      cs = d.state;
      level = d.level;
      limitedBy = d.limited_by;
      capped = d.setpoints.power_w !== null;
    } else {
      const d = decideHysteresis(o.settings, o.model, o.plant.threads, hs, inputs);
      hs = d.state;
      level = d.level;
    }
    const plant = { ...o.plant, ambient_c: ambient(t) };
    let stepPower = 0;
    for (let i = 0; i < SUBSTEPS; i++) {
      const s = stepPlant(plant, temp, level, dt / SUBSTEPS);
      temp = s.temp_c;
      hashes += s.hashes;
      stepPower += s.power_w / SUBSTEPS;
      maxTemp = Math.max(maxTemp, temp);
      if (temp > target) above += dt / SUBSTEPS;
      maxOver = Math.max(maxOver, temp - target);
      if (t >= settle) maxOverSettled = Math.max(maxOverSettled, temp - target);
    }
    power = stepPower;
    energy += stepPower * dt;
    if (t >= settle) { tempSum += temp; tempN++; }
    if (capped && level > 0) { capEnergy += stepPower * dt; capTime += dt; }
    o.onTick?.({ t_s: t, temp_c: temp, level, power_w: stepPower, limited_by: limitedBy });
  }
  return {
    law: o.law,
    max_temp_c: maxTemp,
    max_overshoot_c: Math.max(0, maxOver),
    max_overshoot_settled_c: Math.max(0, maxOverSettled),
    seconds_above_target: Math.round(above),
    mean_temp_settled_c: tempN > 0 ? tempSum / tempN : NaN,
    total_hashes: hashes,
    mean_power_w: energy / o.seconds,
    hashes_per_joule: energy > 0 ? hashes / energy : 0,
    mean_capped_power_w: capTime > 0 ? capEnergy / capTime : null,
  };
}
