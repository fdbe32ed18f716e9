// Every sensor implementation runs the same contract (contract.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSensorContract } from './contract.ts';
import { FIXTURES, scratchTree } from './helpers.ts';
import { SysfsTemperature } from '../../../agent/sensors/temperature.ts';
import { HwmonPower, ModelPower, RaplPower } from '../../../agent/sensors/power.ts';
import { SysfsSupply } from '../../../agent/sensors/supply.ts';
import { GuardedTemperature } from '../../../agent/sensors/guard.ts';
import { CachedSensor } from '../../../agent/sensors/cached.ts';
import { FakeSensor, FunctionSensor } from '../../../agent/sensors/fakes.ts';
import { PolledCommand, parsePmicAdc, parseThrottled } from '../../../agent/sensors/vcgencmd.ts';
import { PROFILES } from '../../../agent/control/profiles.ts';
import type { SupplyState, ThrottledFlags } from '../../../agent/sensors/types.ts';

const isTemp = (v: number) => v > -40 && v < 150;
const isPower = (v: number) => v >= 0 && v < 1000;

for (const [tree, zoneFile] of [
  ['pi4', 'class/thermal/thermal_zone0/temp'],
  ['x86', 'class/thermal/thermal_zone2/temp'],
  ['hwmon-only', 'class/hwmon/hwmon1/temp1_input'],
] as const) {
  runSensorContract(`SysfsTemperature on the ${tree} tree`, async () => {
    const t = scratchTree(tree);
    const sensor = new SysfsTemperature(t.root);
    const original = readFileSync(join(t.root, zoneFile), 'utf8');
    return {
      sample: () => sensor.read(),
      breakIt: async () => t.remove(zoneFile),
      repair: async () => t.write(zoneFile, original.trim()),
      valid: isTemp,
      cleanup: async () => t.cleanup(),
    };
  });
}

runSensorContract('GuardedTemperature over a fake', async () => {
  const fake = new FakeSensor<number>('temp', 50);
  const sensor = new GuardedTemperature(fake, { stuckS: 60, maxJumpCPerS: 30, levelSpan: 1 }, () => 1);
  let now = 0;
  return {
    sample: () => sensor.read((now += 1000)),
    breakIt: async () => fake.fail('gone'),
    repair: async () => fake.set(50.5),
    valid: isTemp,
  };
});

runSensorContract('FakeSensor', async () => {
  const fake = new FakeSensor<number>('temp', 42);
  return { sample: () => fake.read(), breakIt: async () => fake.fail('broken'), repair: async () => fake.set(43), valid: isTemp };
});

runSensorContract('FunctionSensor', async () => {
  let broken = false;
  const s = new FunctionSensor<number>('temp', (ms) => { if (broken) throw new Error('plant exploded'); return 40 + ms / 1e6; });
  let now = 0;
  return { sample: () => s.read((now += 1000)), breakIt: async () => { broken = true; }, repair: async () => { broken = false; }, valid: isTemp };
});

runSensorContract('HwmonPower on the hwmon-only tree', async () => {
  const t = scratchTree('hwmon-only');
  const s = new HwmonPower(t.root);
  return {
    sample: () => s.read(),
    breakIt: async () => t.write('class/hwmon/hwmon2/power1_input', 'garbage'),
    repair: async () => t.write('class/hwmon/hwmon2/power1_input', '3100000'),
    valid: isPower,
    cleanup: async () => t.cleanup(),
  };
});

runSensorContract('RaplPower on the x86 tree', async () => {
  const t = scratchTree('x86');
  const s = new RaplPower(t.root);
  let now = 0;
  let uj = 1_000_000;
  let broken = false;
  const file = 'class/powercap/intel-rapl:0/energy_uj';
  // 4 J per second = 4 W. A sample may take two reads: RAPL power is an energy difference.
  const advance = () => { now += 1000; uj += 4_000_000; if (!broken) t.write(file, String(uj)); };
  const sample = async () => {
    advance();
    const first = await s.read(now);
    if (!first.ok && first.transient) { advance(); return s.read(now); }
    return first;
  };
  return {
    sample,
    breakIt: async () => { broken = true; t.remove(file); },
    repair: async () => { broken = false; t.write(file, String(uj)); },
    valid: (v: number) => Math.abs(v - 4) < 1e-9,
    cleanup: async () => t.cleanup(),
  };
});

runSensorContract('ModelPower', async () => {
  let busy = 2;
  const s = new ModelPower(() => PROFILES.pi4, () => busy);
  return { sample: () => s.read(0), breakIt: async () => { busy = NaN; }, repair: async () => { busy = 1; }, valid: isPower };
});

runSensorContract<SupplyState>('SysfsSupply on the x86 tree', async () => {
  const t = scratchTree('x86');
  const s = new SysfsSupply(t.root);
  return {
    sample: () => s.read(),
    breakIt: async () => t.write('class/power_supply/AC/online', 'maybe'),
    repair: async () => t.write('class/power_supply/AC/online', '1'),
    valid: (v) => typeof v.on_battery === 'boolean',
    cleanup: async () => t.cleanup(),
  };
});

runSensorContract('CachedSensor over a fake', async () => {
  const fake = new FakeSensor<number>('temp', 40);
  const s = new CachedSensor(fake, 10_000);
  let now = 0;
  return { sample: () => s.read((now += 10_000)), breakIt: async () => fake.fail('x'), repair: async () => fake.set(41), valid: isTemp };
});

for (const [label, args, file, parse, valid] of [
  ['pmic_read_adc', ['pmic_read_adc'], 'pi5/vcgencmd/pmic_read_adc.txt', parsePmicAdc, (v: unknown) => isPower(v as number)],
  ['get_throttled', ['get_throttled'], 'pi5/vcgencmd/get_throttled.txt', parseThrottled, (v: unknown) => Array.isArray((v as ThrottledFlags).now)],
] as const) {
  runSensorContract<unknown>(`PolledCommand vcgencmd ${label} with a captured output`, async () => {
    const captured = readFileSync(join(FIXTURES, file), 'utf8');
    let failing = false;
    const run = async () => { if (failing) throw Object.assign(new Error('spawn vcgencmd ENOENT'), { code: 'ENOENT' }); return captured; };
    const s = new PolledCommand<unknown>('x', 'vcgencmd', [...args], 5000, run, parse as (o: string) => unknown);
    let now = 0;
    // A sample starts a poll (interval elapsed), waits for it, and reads the result.
    const sample = async () => { now += 5000; await s.read(now); await s.idle(); return s.read(now); };
    return { sample, breakIt: async () => { failing = true; }, repair: async () => { failing = false; }, valid };
  });
}
