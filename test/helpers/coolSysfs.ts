// A fake sysfs root with one cool CPU thermal zone, so agents under test run at
// full speed regardless of the host (CI VMs often have no thermal zone at all).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function coolSysfs(tempC = 45): { root: string; setTemp(c: number): void; zone: string } {
  const root = mkdtempSync(join(tmpdir(), 'hashling-sysfs-'));
  const zone = join(root, 'class', 'thermal', 'thermal_zone0');
  mkdirSync(zone, { recursive: true });
  writeFileSync(join(zone, 'type'), 'cpu-thermal\n');
  const setTemp = (c: number) => writeFileSync(join(zone, 'temp'), `${Math.round(c * 1000)}\n`);
  setTemp(tempC);
  return { root, setTemp, zone };
}
