// `npm run bench:budget`: the budget controller against the simulated plant
// (agent/control/thermalPlant.ts) for simulated hours, side by side with on/off
// hysteresis baselines. Prints one JSON line per run, then a table.
//
// Baselines (agent/control/baseline.ts):
// - hyst:      stop above target + h, resume below target − h (cpuminer-opt
//              --max-temp / cgminer --temp-hysteresis style); h = budget.hysteresis_c.
// - hyst-safe: the same band moved below the target (stop at target, resume at
//              target − 2h), i.e. the on/off law at the controller's safety level
//              ("no more time above target").
// - threads:   for watt caps, the whole number of threads the power model allows.
// Options: --hours N (default 4), --quick (1 h runs, for CI smoke).
import { simulate, type Law, type SimResult } from '../agent/control/simulate.ts';
import { PROFILES, type DeviceModel, type ProfileName } from '../agent/control/profiles.ts';
import { PLANT_DEFAULTS, type PlantParams } from '../agent/control/thermalPlant.ts';
import type { BudgetSettings } from '../agent/control/controller.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const hoursArg = args.indexOf('--hours');
const HOURS = quick ? 1 : hoursArg >= 0 ? Number(args[hoursArg + 1]) : 4;

const SETTINGS: BudgetSettings = {
  temp_target_c: 70, temp_cutoff_c: 80, hysteresis_c: 3, target_margin_c: 0.5, power_w: 0, max_cpu_percent: 100,
  pause_on_battery: true, schedule: [], fallback_cpu_percent: 25, ramp_up_per_s: 0.25, response_s: 0,
};
/** Hash rate per core only scales the totals; ratios do not depend on it. */
const HPS_PER_CORE = 1e6;

function plantOf(m: DeviceModel, ambient: number, over: Partial<PlantParams> = {}): PlantParams {
  return { ...PLANT_DEFAULTS, ambient_c: ambient, r_c_per_w: m.r_c_per_w, tau_s: m.tau_s, idle_w: m.idle_w, active_w_per_core: m.active_w_per_core, threads: 4, hps_per_core: HPS_PER_CORE, ...over };
}

interface Row { scenario: string; law: string; r: SimResult; cap: number | null }
const rows: Row[] = [];

function run(scenario: string, law: Law | 'hyst-safe', o: { plant: PlantParams; settings?: BudgetSettings; model: DeviceModel; seconds?: number; ambient?: (t: number) => number }): SimResult {
  const settings = o.settings ?? SETTINGS;
  // hyst-safe: the hysteresis law with its band shifted down by h, so it stops at the target.
  const lawSettings = law === 'hyst-safe' ? { ...settings, temp_target_c: settings.temp_target_c - settings.hysteresis_c } : settings;
  const r = simulate({
    plant: o.plant, settings: lawSettings, model: o.model, law: law === 'hyst-safe' ? 'hysteresis' : law,
    seconds: o.seconds ?? HOURS * 3600, ambient: o.ambient, judgeTargetC: settings.temp_target_c,
  });
  const label = law === 'controller' ? 'controller' : law === 'hysteresis' ? (settings.power_w > 0 ? 'threads' : 'hyst') : law;
  rows.push({ scenario, law: label, r, cap: settings.power_w > 0 ? settings.power_w : null });
  process.stdout.write(`${JSON.stringify({ scenario, law: label, ...round(r) })}\n`);
  return r;
}

function round(r: SimResult): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) out[k] = typeof v === 'number' ? Number(v.toPrecision(5)) : v;
  return out;
}

// 1. Temperature hold on a bare Pi 4 at several ambients.
for (const ambient of [15, 25, 30, 35]) {
  const o = { plant: plantOf(PROFILES.pi4, ambient), model: PROFILES.pi4 };
  for (const law of ['controller', 'hysteresis', 'hyst-safe'] as const) run(`pi4 ${ambient}°C target 70`, law, o);
}
// Sensitivity of the baseline to its band: cgminer's default h = 3, a tight h = 1.
for (const h of [1, 5]) {
  const o = { plant: plantOf(PROFILES.pi4, 25), model: PROFILES.pi4, settings: { ...SETTINGS, hysteresis_c: h } };
  for (const law of ['controller', 'hysteresis', 'hyst-safe'] as const) run(`pi4 25°C target 70 h=${h}`, law, o);
}
// 2. Other profiles.
for (const p of ['pi5', 'zero2', 'pi3'] as ProfileName[]) {
  const o = { plant: plantOf(PROFILES[p], 25), model: PROFILES[p] };
  for (const law of ['controller', 'hysteresis', 'hyst-safe'] as const) run(`${p} 25°C target 70`, law, o);
}
// 3. Watt caps (temperature not binding at 20 °C).
for (const cap of [4, 5, 5.5]) {
  const o = { plant: plantOf(PROFILES.pi4, 20), model: PROFILES.pi4, settings: { ...SETTINGS, power_w: cap } };
  for (const law of ['controller', 'hysteresis'] as const) run(`pi4 20°C cap ${cap} W`, law, o);
}
// 4. A tariff day: cheap night at full power, daytime 4.5 W cap, evening peak paused;
//    ambient 18-30 °C peaking mid-afternoon; the 70 °C target stays active.
const TARIFF = [
  { from: '07:00', to: '17:00', power_w: 4.5 },
  { from: '17:00', to: '21:00', paused: true },
  { from: '21:00', to: '07:00', max_cpu_percent: 100 },
];
const dayAmbient = (t: number) => 24 - 6 * Math.cos((2 * Math.PI * (t / 3600 - 3)) / 24);
for (const law of ['controller', 'hysteresis', 'hyst-safe'] as const) {
  run('pi4 tariff day', law, { plant: plantOf(PROFILES.pi4, 24), model: PROFILES.pi4, settings: { ...SETTINGS, schedule: TARIFF }, seconds: quick ? 6 * 3600 : 24 * 3600, ambient: dayAmbient });
}
// 5. Plant 2× off the profile the controller was tuned with (ambients chosen so the
//    target is reachable: with R ×2 a Pi 4 idles at 56 °C even at 5 °C ambient).
const pi4 = PROFILES.pi4;
const MISMATCH: [string, number, Partial<PlantParams>, number][] = [
  ['R ×2', 5, { r_c_per_w: 2 * pi4.r_c_per_w }, 0],
  ['R ×½', 35, { r_c_per_w: pi4.r_c_per_w / 2 }, 0],
  ['τ ×2', 25, { tau_s: 2 * pi4.tau_s }, 0],
  ['τ ×½', 25, { tau_s: pi4.tau_s / 2 }, 0],
  ['active W ×2', 10, { active_w_per_core: 2 * pi4.active_w_per_core }, 0],
  ['active W ×2, cap 5 W', 10, { active_w_per_core: 2 * pi4.active_w_per_core }, 5],
  ['idle W ×2, cap 7 W', 0, { idle_w: 2 * pi4.idle_w }, 7],
];
for (const [name, ambient, over, cap] of MISMATCH) {
  const o = { plant: plantOf(pi4, ambient, over), model: pi4, settings: { ...SETTINGS, power_w: cap } };
  run(`mismatch ${name} ${ambient}°C`, 'controller', o);
  run(`mismatch ${name} ${ambient}°C`, cap > 0 ? 'hysteresis' : 'hyst-safe', o);
}

// Table: each controller row with its gain over the baselines of the same scenario.
const pad = (s: string | number, n: number) => String(s).padStart(n);
const head = `${'scenario'.padEnd(34)}${pad('law', 11)}${pad('overshoot', 10)}${pad('settled', 8)}${pad('s>target', 9)}${pad('Ghash', 8)}${pad('mean W', 7)}${pad('Mh/J', 7)}${pad('vs hyst', 8)}${pad('vs safe', 8)}${pad('cap err', 8)}`;
process.stdout.write(`\n${HOURS} h runs (tariff day: ${quick ? 6 : 24} h), Pi figures from agent/control/profiles.ts\n${head}\n${'-'.repeat(head.length)}\n`);
for (const row of rows) {
  const base = (law: string) => rows.find((x) => x.scenario === row.scenario && x.law === law)?.r.total_hashes;
  const gain = (law: string) => {
    const b = base(law);
    return row.law === 'controller' && b ? `${(((row.r.total_hashes / b) - 1) * 100).toFixed(1)}%` : '';
  };
  const capErr = row.cap !== null && row.r.mean_capped_power_w !== null ? `${(((row.r.mean_capped_power_w / row.cap) - 1) * 100).toFixed(2)}%` : '';
  process.stdout.write(`${row.scenario.padEnd(34)}${pad(row.law, 11)}${pad(row.r.max_overshoot_c.toFixed(2), 10)}${pad(row.r.max_overshoot_settled_c.toFixed(2), 8)}${pad(row.r.seconds_above_target, 9)}${pad((row.r.total_hashes / 1e9).toFixed(2), 8)}${pad(row.r.mean_power_w.toFixed(3), 7)}${pad((row.r.hashes_per_joule / 1e6).toFixed(3), 7)}${pad(gain(row.cap ? 'threads' : 'hyst'), 8)}${pad(gain('hyst-safe'), 8)}${pad(capErr, 8)}\n`);
}
