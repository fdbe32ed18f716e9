// sensors.* — where the budget loop reads temperature, power, supply and
// Raspberry Pi firmware flags (agent/sensors).
import type { SectionSpec } from './schema.ts';

function positive(val: unknown): void {
  if (typeof val !== 'number' || !Number.isFinite(val) || val <= 0) throw new Error('must be a number > 0');
}

export const sensors: SectionSpec = {
  sysfs_root: { doc: 'Root of the sysfs tree (like telegraf\'s HOST_SYS); point it at a fixture tree or a container mount.', format: String, default: '/sys' },
  temp_zone: { doc: 'Temperature source: empty = auto (a thermal zone of type cpu-thermal/x86_pkg_temp/soc…, else hwmon), or a zone type / directory name such as thermal_zone1.', format: String, default: '' },
  power_source: { doc: 'Power source: auto (pmic, hwmon, rapl, then the model), pmic, hwmon, rapl or model.', format: ['auto', 'pmic', 'hwmon', 'rapl', 'model'], default: 'auto' },
  vcgencmd_path: { doc: 'vcgencmd binary for Raspberry Pi get_throttled / pmic_read_adc; empty disables. Only used on Raspberry Pi profiles.', format: String, default: 'vcgencmd' },
  throttled_interval_s: { doc: 'Seconds between `vcgencmd get_throttled` runs (a process spawn: keep it slow).', format: positive, default: 30 },
  pmic_interval_s: { doc: 'Seconds between `vcgencmd pmic_read_adc` runs on a Pi 5.', format: positive, default: 5 },
  supply_interval_s: { doc: 'Seconds between reads of power_supply/* (battery / AC).', format: positive, default: 10 },
  stuck_s: { doc: 'A temperature unchanged this long while the level moved by ≥ 1 thread is reported stuck.', format: positive, default: 60 },
  max_jump_c_per_s: { doc: 'A temperature change faster than this (°C/s) is reported as a fault, not believed.', format: positive, default: 30 },
};

/** The typed shape of config.sensors. */
export interface SensorsConfig {
  sysfs_root: string; temp_zone: string; power_source: 'auto' | 'pmic' | 'hwmon' | 'rapl' | 'model';
  vcgencmd_path: string; throttled_interval_s: number; pmic_interval_s: number; supply_interval_s: number;
  stuck_s: number; max_jump_c_per_s: number;
}
