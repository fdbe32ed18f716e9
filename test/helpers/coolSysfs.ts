// A fake sysfs root with one cool CPU thermal zone, so agents under test run at
// full speed regardless of the host (CI VMs often have no thermal zone at all).
//
// The zone flickers by 1 m°C every few seconds, as a real sensor's last digit does:
// a value that never changes while the load does is what the agent's sensor guard
// (agent/sensors/guard.ts, sensors.stuck_s) reports as a stuck sensor, and then it
// holds the fallback level, which would slow any test that runs past stuck_s.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FLICKER_MS = 5_000;

export function coolSysfs(tempC = 45): { root: string; setTemp(c: number): void; zone: string } {
  const root = mkdtempSync(join(tmpdir(), 'hashling-sysfs-'));
  const zone = join(root, 'class', 'thermal', 'thermal_zone0');
  mkdirSync(zone, { recursive: true });
  writeFileSync(join(zone, 'type'), 'cpu-thermal\n');
  let milli = Math.round(tempC * 1000);
  let odd = false;
  const write = () => writeFileSync(join(zone, 'temp'), `${milli + (odd ? 1 : 0)}\n`);
  const setTemp = (c: number) => {
    milli = Math.round(c * 1000);
    write();
  };
  setTemp(tempC);
  setInterval(() => {
    odd = !odd;
    try {
      write();
    } catch {
      // The test removed the zone (a vanishing sensor): never recreate it here.
    }
  }, FLICKER_MS).unref();
  return { root, setTemp, zone };
}
