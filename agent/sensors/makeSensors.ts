// Builds the sensor bundle from config. Nothing is read here except the device
// tree model string (one small file) to pick the profile; every reader discovers
// its sysfs paths lazily on its first read. Linux reads sysfs; hosts without it
// (macOS, Windows, FreeBSD) read temperature and battery through systeminformation.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BudgetConfig, SensorsConfig } from '../../config/schema.ts';
import { PROFILES, profileFromModel, type DeviceModel, type ProfileName } from '../control/profiles.ts';
import { CachedSensor } from './cached.ts';
import { CpuUsageMeter, HwmonPower, ModelPower, PowerSelector, RaplPower } from './power.ts';
import { SysfsSupply } from './supply.ts';
import { SysfsTemperature } from './temperature.ts';
import type { Sensor, SupplyState, ThrottledFlags } from './types.ts';
import { PolledCommand, parsePmicAdc, parseThrottled, vcgencmdRunner, type CommandRunner } from './vcgencmd.ts';
import { SiSupply, SiTemperature, loadSystemInformation, type SiSource } from './systeminformation.ts';

/** How often the systeminformation backend samples: each call may spawn a process. */
const SI_TEMP_INTERVAL_MS = 5000;

export interface SensorBundle {
  profile: ProfileName;
  /** Power and thermal model: the profile with config overrides applied. */
  model: DeviceModel;
  /** Raw CPU temperature (the budget loop adds the plausibility guard). */
  temperature: Sensor<number>;
  /** Measured power, or the model when nothing better exists (source says which). */
  power: Sensor<number>;
  /** The model alone: the fallback while `power` is faulty. */
  modelPower: Sensor<number>;
  supply: Sensor<SupplyState>;
  /** Raspberry Pi firmware flags; null off a Pi. */
  throttled: Sensor<ThrottledFlags> | null;
}

export interface SensorDeps {
  /** vcgencmd runner (tests inject captured outputs). */
  run?: CommandRunner;
  /** This process's CPU time in µs (tests inject a fake). */
  cpuMicros?: () => number;
  /** The host's platform (tests pick the non-Linux backend with it). */
  platform?: NodeJS.Platform;
  /** systeminformation, or a stand-in (tests). */
  si?: () => Promise<SiSource>;
}

/** The device tree model string under the sysfs root, e.g. "Raspberry Pi 4 Model B Rev 1.4". */
export function readBoardModel(sysfsRoot: string): string | null {
  try {
    return readFileSync(join(sysfsRoot, 'firmware/devicetree/base/model'), 'utf8').replace(/\0/g, '').trim();
  } catch {
    return null;
  }
}

/** Profile and model after config overrides (a 0 override means "from the profile"). */
export function resolveModel(budget: BudgetConfig, sysfsRoot: string): { profile: ProfileName; model: DeviceModel } {
  const profile = budget.profile === 'auto' ? profileFromModel(readBoardModel(sysfsRoot)) : budget.profile;
  const p = PROFILES[profile];
  return {
    profile,
    model: {
      idle_w: budget.idle_w || p.idle_w,
      active_w_per_core: budget.active_w_per_core || p.active_w_per_core,
      r_c_per_w: budget.thermal_r_c_per_w || p.r_c_per_w,
      tau_s: budget.thermal_tau_s || p.tau_s,
    },
  };
}

export function makeSensors(s: SensorsConfig, b: BudgetConfig, deps: SensorDeps = {}): SensorBundle {
  const { profile, model } = resolveModel(b, s.sysfs_root);
  const isPi = profile !== 'generic';
  const run = s.vcgencmd_path === '' || !isPi ? null : (deps.run ?? vcgencmdRunner(s.vcgencmd_path));
  const meter = new CpuUsageMeter(deps.cpuMicros);
  const modelPower = new ModelPower(() => model, (now) => meter.sample(now));
  const pmic = run && profile === 'pi5'
    ? new PolledCommand<number>('power', 'pmic', ['pmic_read_adc'], s.pmic_interval_s * 1000, run, parsePmicAdc)
    : null;
  const byName: Record<string, Sensor<number> | null> = {
    pmic, hwmon: new HwmonPower(s.sysfs_root), rapl: new RaplPower(s.sysfs_root),
  };
  if ((deps.platform ?? process.platform) !== 'linux') {
    // No sysfs: the model for power, systeminformation for temperature and supply.
    const load = deps.si ?? loadSystemInformation;
    return {
      profile,
      model,
      temperature: new CachedSensor(new SiTemperature(load), SI_TEMP_INTERVAL_MS),
      power: new PowerSelector([], modelPower),
      modelPower,
      supply: new CachedSensor(new SiSupply(load), s.supply_interval_s * 1000),
      throttled: null,
    };
  }
  const candidates = s.power_source === 'auto'
    ? [byName.pmic, byName.hwmon, byName.rapl].filter((x): x is Sensor<number> => x !== null)
    : s.power_source === 'model' || byName[s.power_source] === null ? [] : [byName[s.power_source]!];
  return {
    profile,
    model,
    temperature: new SysfsTemperature(s.sysfs_root, s.temp_zone),
    power: new PowerSelector(candidates, modelPower),
    modelPower,
    supply: new CachedSensor(new SysfsSupply(s.sysfs_root), s.supply_interval_s * 1000),
    throttled: run ? new PolledCommand('throttled', 'vcgencmd', ['get_throttled'], s.throttled_interval_s * 1000, run, parseThrottled) : null,
  };
}
