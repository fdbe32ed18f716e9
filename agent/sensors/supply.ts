// Battery / mains state from <root>/class/power_supply/*/{type,online,status,capacity}
// (Documentation/ABI/testing/sysfs-class-power). Read a few times a minute: it
// changes rarely and some fuel-gauge drivers are slow to answer.
import { fault, ok, type Reading, type Sensor, type SupplyState } from './types.ts';
import { join, listDir, parseIntStrict, readAttrOrNull } from './sysfs.ts';

export interface SupplyNode { type: string; online: string | null; status: string | null; capacity: string | null }

const MAINS_TYPES = ['Mains', 'USB', 'USB_C', 'USB_PD', 'USB_DCP', 'USB_CDP', 'USB_ACA'];
const BATTERY_STATUS = ['Charging', 'Discharging', 'Not charging', 'Full', 'Unknown'];

/** Pure decision from the nodes' attributes; a string is a fault. */
export function decideSupply(nodes: SupplyNode[]): SupplyState | string {
  const mains = nodes.filter((n) => MAINS_TYPES.includes(n.type));
  const batteries = nodes.filter((n) => n.type === 'Battery' || n.type === 'UPS');
  let acOnline: boolean | null = null;
  for (const m of mains) {
    if (m.online !== '0' && m.online !== '1') return `${m.type} supply: online is ${JSON.stringify(m.online)}, want 0 or 1`;
    acOnline = (acOnline ?? false) || m.online === '1';
  }
  let discharging = false;
  let percent: number | null = null;
  for (const b of batteries) {
    if (b.status === null || !BATTERY_STATUS.includes(b.status)) return `battery status is ${JSON.stringify(b.status)}`;
    discharging ||= b.status === 'Discharging';
    const cap = b.capacity === null ? null : parseIntStrict(b.capacity);
    if (cap !== null && cap >= 0 && cap <= 100) percent = percent === null ? cap : Math.min(percent, cap);
  }
  // A UPS HAT may not expose a mains node: then the battery's own status decides.
  const onBattery = discharging && acOnline !== true;
  return { on_battery: onBattery, ac_online: acOnline, battery_percent: percent };
}

export class SysfsSupply implements Sensor<SupplyState> {
  readonly name = 'supply';
  constructor(private readonly root: string) {}

  async read(): Promise<Reading<SupplyState>> {
    const dir = join(this.root, 'class/power_supply');
    const nodes: SupplyNode[] = [];
    for (const name of await listDir(dir)) {
      const type = await readAttrOrNull(join(dir, name, 'type'));
      if (type === null) continue;
      nodes.push({
        type,
        online: await readAttrOrNull(join(dir, name, 'online')),
        status: await readAttrOrNull(join(dir, name, 'status')),
        capacity: await readAttrOrNull(join(dir, name, 'capacity')),
      });
    }
    const d = decideSupply(nodes);
    const source = nodes.length === 0 ? 'none' : 'power_supply';
    return typeof d === 'string' ? fault(source, d) : ok(d, source);
  }
}
