// The sensor backend for hosts without Linux sysfs (macOS, Windows, FreeBSD):
// CPU temperature and battery/mains state through systeminformation, which knows
// each platform's source (SMC, WMI, sysctl/acpi). Linux keeps its sysfs readers:
// si's Linux paths spawn shells, and those read the same files anyway. Every call
// here may spawn a process (PowerShell on Windows), so one call runs at a time and
// makeSensors caches the readings for seconds; the library loads on the first read.
import { describeError, fault, ok, type Reading, type Sensor, type SupplyState } from './types.ts';
import { TEMP_RANGE_C } from './temperature.ts';

/** The slice of systeminformation used here (tests pass a stand-in). */
export interface SiSource {
  cpuTemperature(): Promise<{ main: number | null }>;
  battery(): Promise<{ hasBattery: boolean; isCharging: boolean; acConnected: boolean; percent: number }>;
}

export async function loadSystemInformation(): Promise<SiSource> {
  return (await import('systeminformation')).default;
}

/** One read in flight at a time; callers overlapping it share its answer. */
abstract class SingleFlight<T> implements Sensor<T> {
  private inflight: Promise<Reading<T>> | null = null;
  private src: Promise<SiSource> | null = null;
  constructor(readonly name: string, private readonly load: () => Promise<SiSource>) {}

  read(): Promise<Reading<T>> {
    this.inflight ??= this.sample().finally(() => { this.inflight = null; });
    return this.inflight;
  }

  private async sample(): Promise<Reading<T>> {
    try {
      this.src ??= this.load();
      return await this.decide(await this.src);
    } catch (err) {
      this.src = null;
      return fault('systeminformation', describeError(err));
    }
  }

  protected abstract decide(si: SiSource): Promise<Reading<T>>;
}

export class SiTemperature extends SingleFlight<number> {
  constructor(load: () => Promise<SiSource> = loadSystemInformation) {
    super('temp', load);
  }

  protected async decide(si: SiSource): Promise<Reading<number>> {
    const { main } = await si.cpuTemperature();
    // null, or -1 on Windows, when the platform exposes no CPU sensor.
    if (typeof main !== 'number' || !Number.isFinite(main) || main === -1) return fault('systeminformation', 'no CPU temperature on this host');
    if (main < TEMP_RANGE_C[0] || main > TEMP_RANGE_C[1]) return fault('systeminformation', `implausible ${main} °C`);
    return ok(main, 'systeminformation cpuTemperature');
  }
}

export class SiSupply extends SingleFlight<SupplyState> {
  constructor(load: () => Promise<SiSource> = loadSystemInformation) {
    super('supply', load);
  }

  protected async decide(si: SiSource): Promise<Reading<SupplyState>> {
    const b = await si.battery();
    if (!b.hasBattery) return ok({ on_battery: false, ac_online: b.acConnected ? true : null, battery_percent: null }, 'systeminformation battery');
    const percent = Number.isFinite(b.percent) && b.percent >= 0 && b.percent <= 100 ? b.percent : null;
    return ok({ on_battery: !b.acConnected && !b.isCharging, ac_online: b.acConnected, battery_percent: percent }, 'systeminformation battery');
  }
}
