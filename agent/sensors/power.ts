// Power readers. Sources, best first in auto mode: Pi 5 PMIC (vcgencmd.ts), hwmon
// power meters, Intel/AMD RAPL, and always last the power model.
//   <root>/class/hwmon/hwmon*/power1_input   µW (Documentation/hwmon/sysfs-interface.rst)
//   <root>/class/powercap/intel-rapl:N/energy_uj, max_energy_range_uj
//     (Documentation/power/powercap/powercap.rst); since Linux 5.10 energy_uj is
//     root-only (CVE-2020-8694), so non-root agents see EACCES and use the model.
import { fault, ok, describeError, type Reading, type Sensor } from './types.ts';
import { join, listDir, parseIntStrict, readAttr, readAttrOrNull } from './sysfs.ts';
import { powerAt, type DeviceModel } from '../control/profiles.ts';

export class HwmonPower implements Sensor<number> {
  readonly name = 'power';
  private path: string | null = null;
  private source = 'hwmon';

  constructor(private readonly root: string) {}

  async read(): Promise<Reading<number>> {
    if (this.path === null) {
      const hw = join(this.root, 'class/hwmon');
      for (const dir of await listDir(hw)) {
        if ((await readAttrOrNull(join(hw, dir, 'power1_input'))) !== null) {
          this.path = join(hw, dir, 'power1_input');
          this.source = `hwmon:${(await readAttrOrNull(join(hw, dir, 'name'))) ?? dir}`;
          break;
        }
      }
      if (this.path === null) return fault('hwmon', 'no hwmon power1_input');
    }
    try {
      const uw = parseIntStrict(await readAttr(this.path));
      if (uw === null || uw < 0) return fault(this.source, `${this.path}: not a power in µW`);
      return ok(uw / 1e6, this.source);
    } catch (err) {
      this.path = null;
      return fault(this.source, `cannot read hwmon power: ${describeError(err)}`);
    }
  }
}

/** Energy in µJ between two counter samples; the counter wraps at maxRangeUj. */
export function energyDeltaUj(prev: number, cur: number, maxRangeUj: number): number {
  return cur >= prev ? cur - prev : cur + (maxRangeUj - prev);
}

interface RaplZone { path: string; max: number }

export class RaplPower implements Sensor<number> {
  readonly name = 'power';
  private zones: RaplZone[] | null = null;
  private prev: { at: number; uj: number[] } | null = null;

  constructor(private readonly root: string) {}

  /** Top-level zones only (intel-rapl:0, not :0:0, which is inside it); psys alone when present, as it covers the packages. */
  private async discover(): Promise<RaplZone[]> {
    const pc = join(this.root, 'class/powercap');
    const found: { dir: string; name: string; max: number }[] = [];
    for (const dir of (await listDir(pc)).filter((d) => /^intel-rapl:\d+$/.test(d))) {
      const name = (await readAttrOrNull(join(pc, dir, 'name'))) ?? '';
      const max = parseIntStrict((await readAttrOrNull(join(pc, dir, 'max_energy_range_uj'))) ?? '') ?? 2 ** 32;
      found.push({ dir, name, max });
    }
    const psys = found.filter((z) => z.name === 'psys');
    return (psys.length > 0 ? psys : found).map((z) => ({ path: join(pc, z.dir, 'energy_uj'), max: z.max }));
  }

  async read(nowMs: number): Promise<Reading<number>> {
    if (this.zones === null) this.zones = await this.discover();
    if (this.zones.length === 0) { this.zones = null; return fault('rapl', 'no RAPL zone under class/powercap'); }
    const uj: number[] = [];
    for (const z of this.zones) {
      try {
        const v = parseIntStrict(await readAttr(z.path));
        if (v === null) return fault('rapl', `${z.path}: not an energy in µJ`);
        uj.push(v);
      } catch (err) {
        this.zones = null;
        this.prev = null;
        return fault('rapl', `cannot read ${z.path}: ${describeError(err)}`);
      }
    }
    const prev = this.prev;
    this.prev = { at: nowMs, uj };
    if (prev === null || nowMs <= prev.at) return fault('rapl', 'first sample: power needs two energy readings', true);
    let total = 0;
    uj.forEach((v, i) => { total += energyDeltaUj(prev.uj[i], v, this.zones![i].max); });
    return ok(total / ((nowMs - prev.at) * 1000), 'rapl');
  }
}

/** Busy cores of this process from its CPU time (process.cpuUsage covers worker threads). */
export class CpuUsageMeter {
  private prev: { at: number; us: number } | null = null;
  private busy = 0;

  constructor(private readonly cpuMicros: () => number = () => { const u = process.cpuUsage(); return u.user + u.system; }) {}

  /** Busy cores since the previous sample at `nowMs`; the last value when time did not advance. */
  sample(nowMs: number): number {
    const us = this.cpuMicros();
    if (this.prev !== null && nowMs > this.prev.at) this.busy = Math.max(0, (us - this.prev.us) / 1000 / (nowMs - this.prev.at));
    if (this.prev === null || nowMs > this.prev.at) this.prev = { at: nowMs, us };
    return this.busy;
  }
}

/**
 * The power model as a sensor: idle_w + active_w_per_core × busy cores, with busy
 * cores measured (hashling's own CPU time) rather than assumed from the level.
 */
export class ModelPower implements Sensor<number> {
  readonly name = 'power';
  constructor(private readonly model: () => DeviceModel, private readonly busyCores: (nowMs: number) => number) {}

  async read(nowMs: number): Promise<Reading<number>> {
    const busy = this.busyCores(nowMs);
    if (!Number.isFinite(busy)) return fault('model', 'busy cores not measurable');
    return ok(powerAt(this.model(), busy), 'model');
  }
}

/**
 * Auto selection: the first candidate that answers (a transient first-sample fault
 * counts as answering) is kept; when none does, the model is. After selection a
 * fault of the chosen source is returned as is; the loop then falls back to the model.
 */
export class PowerSelector implements Sensor<number> {
  readonly name = 'power';
  private chosen: Sensor<number> | null = null;

  constructor(private readonly candidates: Sensor<number>[], private readonly model: Sensor<number>) {}

  async read(nowMs: number): Promise<Reading<number>> {
    if (this.chosen === null) {
      for (const c of this.candidates) {
        const r = await c.read(nowMs);
        if (r.ok || r.transient) { this.chosen = c; return r; }
      }
      this.chosen = this.model;
    }
    return this.chosen.read(nowMs);
  }
}
