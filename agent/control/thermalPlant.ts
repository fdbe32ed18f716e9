// A simulated device for tests and the bench: a first-order RC thermal model
//   C·dT/dt = P(level, T) − (T − T_ambient)/R
// with the Raspberry Pi firmware's own throttling on top (Raspberry Pi
// documentation, "Frequency management and thermal control": between 80 °C and
// 85 °C the Arm cores are progressively throttled; at 85 °C Arm and GPU are).
// Pure and deterministic: noise comes from a seeded generator.

export interface PlantParams {
  ambient_c: number;
  r_c_per_w: number;
  tau_s: number;
  idle_w: number;
  active_w_per_core: number;
  threads: number;
  /** Hashes per second of one core at full clock. */
  hps_per_core: number;
  soft_limit_c: number;
  hard_limit_c: number;
  /** Sensor noise (uniform ± this, °C) and resolution (°C; 0.001 on sysfs). */
  noise_c: number;
  step_c: number;
}

export const PLANT_DEFAULTS = { soft_limit_c: 80, hard_limit_c: 85, noise_c: 0.15, step_c: 0.001 };

/** Firmware clock factor at a temperature: 1 below the soft limit, down to 0.6 at the hard limit, 0.4 above. */
export function firmwareClock(p: PlantParams, tempC: number): number {
  if (tempC < p.soft_limit_c) return 1;
  if (tempC >= p.hard_limit_c) return 0.4;
  return 1 - (0.4 * (tempC - p.soft_limit_c)) / (p.hard_limit_c - p.soft_limit_c);
}

export interface PlantStep {
  temp_c: number;
  power_w: number;
  hashes: number;
  clock: number;
}

/** Advances the plant by dtS seconds at a constant level (exact for constant power). */
export function stepPlant(p: PlantParams, tempC: number, level: number, dtS: number): PlantStep {
  const clock = firmwareClock(p, tempC);
  const busy = Math.min(Math.max(level, 0), p.threads);
  const power = p.idle_w + p.active_w_per_core * busy * clock;
  const steady = p.ambient_c + p.r_c_per_w * power;
  const temp = steady + (tempC - steady) * Math.exp(-dtS / p.tau_s);
  return { temp_c: temp, power_w: power, hashes: p.hps_per_core * busy * clock * dtS, clock };
}

/** mulberry32: a tiny seeded PRNG, so simulated runs are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What the sysfs sensor would report for a true temperature. */
export function senseTemperature(p: PlantParams, tempC: number, rand: () => number): number {
  const noisy = tempC + (rand() * 2 - 1) * p.noise_c;
  return Math.round(noisy / p.step_c) * p.step_c;
}
