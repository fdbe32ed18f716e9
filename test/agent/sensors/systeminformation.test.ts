// The systeminformation backend (macOS, Windows, FreeBSD): the sensor contract over
// a stand-in of the library's answers, the mapping of those answers, the backend
// choice by platform, and the real library on this host.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runSensorContract } from './contract.ts';
import { SiSupply, SiTemperature, type SiSource } from '../../../agent/sensors/systeminformation.ts';
import { makeSensors } from '../../../agent/sensors/makeSensors.ts';
import { loadConfig } from '../../../config/load.ts';

/** What systeminformation answers on a laptop, breakable like a vanished sensor. */
function standIn(): SiSource & { broken: boolean; temp: number | null; state: Awaited<ReturnType<SiSource['battery']>>; calls: number } {
  const s = {
    broken: false,
    temp: 58 as number | null,
    state: { hasBattery: true, isCharging: false, acConnected: true, percent: 80 },
    calls: 0,
    async cpuTemperature() {
      s.calls++;
      if (s.broken) throw new Error('powershell exited with 1');
      return { main: s.temp };
    },
    async battery() {
      s.calls++;
      if (s.broken) throw new Error('ioreg not found');
      return s.state;
    },
  };
  return s;
}

runSensorContract('SiTemperature over a stand-in of systeminformation', async () => {
  const si = standIn();
  const sensor = new SiTemperature(async () => si);
  return {
    sample: () => sensor.read(),
    breakIt: async () => { si.broken = true; },
    repair: async () => { si.broken = false; },
    valid: (v) => v > -40 && v < 150,
  };
});

runSensorContract('SiSupply over a stand-in of systeminformation', async () => {
  const si = standIn();
  const sensor = new SiSupply(async () => si);
  return {
    sample: () => sensor.read(),
    breakIt: async () => { si.broken = true; },
    repair: async () => { si.broken = false; },
    valid: (v) => typeof v.on_battery === 'boolean',
  };
});

describe('systeminformation backend', () => {
  it('reads no CPU sensor (null, or -1 on Windows) and garbage as faults', async () => {
    const si = standIn();
    const t = new SiTemperature(async () => si);
    si.temp = null;
    assert.equal((await t.read()).ok, false);
    si.temp = -1;
    assert.equal((await t.read()).ok, false);
    si.temp = 4000;
    const r = await t.read();
    assert.ok(!r.ok && /implausible/.test(r.fault));
  });

  it('on battery means a battery, no mains and not charging', async () => {
    const si = standIn();
    const s = new SiSupply(async () => si);
    si.state = { hasBattery: true, isCharging: false, acConnected: false, percent: 41 };
    assert.deepEqual(await s.read(), { ok: true, value: { on_battery: true, ac_online: false, battery_percent: 41 }, source: 'systeminformation battery' });
    si.state = { hasBattery: true, isCharging: true, acConnected: true, percent: 41 };
    assert.equal(((await s.read()) as { value: { on_battery: boolean } }).value.on_battery, false);
    si.state = { hasBattery: false, isCharging: false, acConnected: true, percent: 0 };
    assert.deepEqual((await s.read() as { value: unknown }).value, { on_battery: false, ac_online: true, battery_percent: null });
  });

  it('overlapping reads share one call (each may spawn a process)', async () => {
    const si = standIn();
    const t = new SiTemperature(async () => si);
    await Promise.all([t.read(), t.read(), t.read()]);
    assert.equal(si.calls, 1);
  });

  it('makeSensors uses it off Linux and the sysfs readers on Linux', async () => {
    const config = loadConfig({ env: { HASHLING_DEVICE_ID: 'x' } });
    const si = standIn();
    const mac = makeSensors(config.sensors, config.budget, { platform: 'darwin', si: async () => si });
    const temp = await mac.temperature.read(0);
    assert.deepEqual(temp, { ok: true, value: 58, source: 'systeminformation cpuTemperature' });
    assert.equal((await mac.supply.read(0)).source, 'systeminformation battery');
    assert.equal(mac.throttled, null);
    const linux = makeSensors(config.sensors, config.budget, { platform: 'linux', si: async () => { throw new Error('must not load'); } });
    assert.doesNotMatch((await linux.temperature.read(0)).source, /systeminformation/);
  });

  it('with the real library on this host, a read resolves to a value or a fault', async () => {
    for (const sensor of [new SiTemperature(), new SiSupply()]) {
      const r = await sensor.read();
      assert.equal(typeof r.ok, 'boolean');
      assert.ok(r.ok ? r.source.startsWith('systeminformation') : r.fault.length > 0, JSON.stringify(r));
    }
  });
});
