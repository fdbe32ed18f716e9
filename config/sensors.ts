// Section `sensors`: where the budget loop reads temperature, power, supply and
// Raspberry Pi firmware flags (agent/sensors). sysfs_root and vcgencmd_path are
// not writable over MQTT: one names files the agent reads, the other a program it runs.
import { numberIn, oneOf, str } from './formats.ts';
import { key } from './spec.ts';

const everyS = numberIn(0.1, 86_400);

export const sensors = {
  sysfs_root: key({ doc: 'Root of the sysfs tree (like telegraf\'s HOST_SYS); point it at a fixture tree or a container mount.', format: str, default: '/sys', restart: true }),
  temp_zone: key({ doc: 'Temperature source: empty = auto (a thermal zone of type cpu-thermal/x86_pkg_temp/soc…, else hwmon), or a zone type / directory name such as thermal_zone1.', format: str, default: '', remote: true }),
  power_source: key({ doc: 'Power source: auto (pmic, hwmon, rapl, then the model), pmic, hwmon, rapl or model.', format: oneOf(['auto', 'pmic', 'hwmon', 'rapl', 'model']), default: 'auto', remote: true }),
  vcgencmd_path: key({ doc: 'vcgencmd binary for Raspberry Pi get_throttled / pmic_read_adc; empty disables. Only used on Raspberry Pi profiles.', format: str, default: 'vcgencmd', restart: true }),
  throttled_interval_s: key({ doc: 'Seconds between `vcgencmd get_throttled` runs (a process spawn: keep it slow).', format: everyS, default: 30, remote: true }),
  pmic_interval_s: key({ doc: 'Seconds between `vcgencmd pmic_read_adc` runs on a Pi 5.', format: everyS, default: 5, remote: true }),
  supply_interval_s: key({ doc: 'Seconds between reads of power_supply/* (battery / AC).', format: everyS, default: 10, remote: true }),
  stuck_s: key({ doc: 'A temperature unchanged this long while the level moved by ≥ 1 thread is reported stuck.', format: everyS, default: 60, remote: true }),
  max_jump_c_per_s: key({ doc: 'A temperature change faster than this (°C/s) is reported as a fault, not believed.', format: numberIn(0, 1000, true), default: 30, remote: true }),
};
