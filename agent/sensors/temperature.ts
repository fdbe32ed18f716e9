// CPU temperature straight from sysfs: thermal zones first, hwmon as fallback.
// Never systeminformation here: its Linux temperature path spawns shells, and this
// runs every control tick.
//   <root>/class/thermal/thermal_zone*/{type,temp}   temp in millidegrees C
//     (Documentation/driver-api/thermal/sysfs-api.rst)
//   <root>/class/hwmon/hwmon*/{name,temp1_input}      millidegrees C
//     (Documentation/hwmon/sysfs-interface.rst)
import { fault, ok, describeError, type Reading, type Sensor } from './types.ts';
import { join, listDir, parseIntStrict, readAttr, readAttrOrNull } from './sysfs.ts';

/** Zone types that measure the CPU/SoC, best first (Raspberry Pi: cpu-thermal; Intel: x86_pkg_temp). */
export const PREFERRED_ZONE_TYPES = ['cpu-thermal', 'cpu_thermal', 'x86_pkg_temp', 'soc-thermal', 'soc_thermal', 'cpu0-thermal', 'cpu0_thermal', 'cpu'];
/** hwmon chips that report the CPU, best first. */
export const PREFERRED_HWMON_NAMES = ['cpu_thermal', 'coretemp', 'k10temp', 'zenpower', 'soc_thermal', 'cpu-thermal'];

export interface Candidate { dir: string; kind: string }

/**
 * Picks the zone to read. `want` (sensors.temp_zone) matches a directory name or
 * a type exactly; otherwise the best preferred type wins, then the first zone.
 */
export function pickCandidate(cands: Candidate[], preferred: string[], want: string): Candidate | null {
  if (want !== '') return cands.find((c) => c.dir === want || c.kind === want) ?? null;
  for (const p of preferred) {
    const hit = cands.find((c) => c.kind === p);
    if (hit) return hit;
  }
  return cands[0] ?? null;
}

/** Plausible SoC readings; outside this a value is garbage, not a temperature. */
export const TEMP_RANGE_C = [-40, 150] as const;

/** Millidegree text → °C, or an error string. */
export function parseMilliCelsius(text: string): number | string {
  const n = parseIntStrict(text);
  if (n === null) return `not an integer: ${JSON.stringify(text.slice(0, 20))}`;
  const c = n / 1000;
  if (c < TEMP_RANGE_C[0] || c > TEMP_RANGE_C[1]) return `implausible ${c} °C`;
  return c;
}

export class SysfsTemperature implements Sensor<number> {
  readonly name = 'temp';
  private path: string | null = null;
  private source = 'none';

  constructor(private readonly root: string, private readonly want = '') {}

  private async discover(): Promise<void> {
    const tz = join(this.root, 'class/thermal');
    const zones: Candidate[] = [];
    for (const dir of (await listDir(tz)).filter((d) => d.startsWith('thermal_zone'))) {
      const type = await readAttrOrNull(join(tz, dir, 'type'));
      if (type !== null) zones.push({ dir, kind: type });
    }
    const zone = pickCandidate(zones, PREFERRED_ZONE_TYPES, this.want);
    if (zone) {
      this.path = join(tz, zone.dir, 'temp');
      this.source = `thermal:${zone.kind}`;
      return;
    }
    const hw = join(this.root, 'class/hwmon');
    const chips: Candidate[] = [];
    for (const dir of await listDir(hw)) {
      const name = await readAttrOrNull(join(hw, dir, 'name'));
      if (name !== null && (await readAttrOrNull(join(hw, dir, 'temp1_input'))) !== null) chips.push({ dir, kind: name });
    }
    const chip = pickCandidate(chips, PREFERRED_HWMON_NAMES, this.want);
    if (chip) {
      this.path = join(hw, chip.dir, 'temp1_input');
      this.source = `hwmon:${chip.kind}`;
    }
  }

  async read(): Promise<Reading<number>> {
    if (this.path === null) await this.discover();
    if (this.path === null) {
      return fault('none', `no temperature sensor under ${this.root}/class/thermal or class/hwmon${this.want ? ` matching "${this.want}"` : ''}`);
    }
    let text: string;
    try {
      text = await readAttr(this.path);
    } catch (err) {
      const path = this.path;
      this.path = null; // the zone may come back under another number: rediscover next time
      return fault(this.source, `cannot read ${path}: ${describeError(err)}`);
    }
    const c = parseMilliCelsius(text);
    return typeof c === 'number' ? ok(c, this.source) : fault(this.source, `${this.path}: ${c}`);
  }
}
