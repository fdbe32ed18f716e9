// Energy from power samples. Agents publish `power_w` with `power_source` in
// telemetry: "model" when the figure comes from the power model (idle_w +
// active_w_per_core × busy cores), a sensor name ("pmic", "hwmon:…", "rapl")
// when measured. Energy keeps that distinction so a cost built on modelled
// watts says so.

export type EnergyBasis = 'measured' | 'modelled' | 'mixed' | 'none';

export interface PowerSample {
  at_ms: number;
  power_w: number;
  /** telemetry power_source */
  source: string;
}

export interface EnergyTotal {
  kwh: number;
  measured_kwh: number;
  modelled_kwh: number;
  /** Time the samples cover (gaps longer than maxGapMs are not counted). */
  covered_ms: number;
  basis: EnergyBasis;
}

export function isModelled(source: string): boolean {
  return source === 'model' || source === 'modelled';
}

export function basisOf(measuredKwh: number, modelledKwh: number): EnergyBasis {
  if (measuredKwh > 0 && modelledKwh > 0) return 'mixed';
  if (measuredKwh > 0) return 'measured';
  if (modelledKwh > 0) return 'modelled';
  return 'none';
}

const MS_PER_HOUR = 3_600_000;

/**
 * kWh over time-ordered samples, each power held until the next sample
 * (telemetry is a periodic reading of the power right then). A gap longer than
 * `maxGapMs` (device off, telemetry lost) is held for `maxGapMs` only, so
 * a device that vanished is not billed for the hours it was gone. The last
 * sample is held until `untilMs` (when given), within the same cap.
 */
export function integrateEnergy(samples: readonly PowerSample[], maxGapMs: number, untilMs?: number): EnergyTotal {
  let measured = 0;
  let modelled = 0;
  let covered = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    const next = i + 1 < samples.length ? samples[i + 1]!.at_ms : untilMs;
    if (next === undefined || !Number.isFinite(s.power_w) || s.power_w < 0) continue;
    const span = Math.min(Math.max(0, next - s.at_ms), maxGapMs);
    const kwh = (s.power_w * span) / MS_PER_HOUR / 1000;
    if (isModelled(s.source)) modelled += kwh;
    else measured += kwh;
    covered += span;
  }
  return { kwh: measured + modelled, measured_kwh: measured, modelled_kwh: modelled, covered_ms: covered, basis: basisOf(measured, modelled) };
}

/** kWh per day at a steady power. */
export function kwhPerDay(powerW: number): number {
  if (!(Number.isFinite(powerW) && powerW >= 0)) throw new RangeError(`power must be a finite number ≥ 0 W, got ${powerW}`);
  return (powerW * 24) / 1000;
}
