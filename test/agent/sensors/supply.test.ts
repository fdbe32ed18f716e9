import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FIXTURES } from './helpers.ts';
import { SysfsSupply, decideSupply } from '../../../agent/sensors/supply.ts';

describe('SysfsSupply', () => {
  it('sees a charging laptop on mains', async () => {
    assert.deepEqual(await new SysfsSupply(join(FIXTURES, 'x86')).read(), { ok: true, source: 'power_supply', value: { on_battery: false, ac_online: true, battery_percent: 87 } });
  });
  it('sees an unplugged laptop on battery', async () => {
    const r = await new SysfsSupply(join(FIXTURES, 'on-battery')).read();
    assert.deepEqual(r.ok && r.value, { on_battery: true, ac_online: false, battery_percent: 55 });
  });
  it('treats a board without power_supply nodes as mains powered', async () => {
    const r = await new SysfsSupply(join(FIXTURES, 'pi4')).read();
    assert.deepEqual(r, { ok: true, source: 'none', value: { on_battery: false, ac_online: null, battery_percent: null } });
  });
  it('reports a nonsense battery status as a fault', async () => {
    const r = await new SysfsSupply(join(FIXTURES, 'garbage')).read();
    assert.match(!r.ok ? r.fault : '', /Exploding/);
  });
});

describe('decideSupply', () => {
  it('trusts a discharging UPS battery when there is no mains node', () => {
    assert.deepEqual(decideSupply([{ type: 'UPS', online: null, status: 'Discharging', capacity: '90' }]), { on_battery: true, ac_online: null, battery_percent: 90 });
  });
  it('is not on battery when any mains or USB supply is online', () => {
    const d = decideSupply([
      { type: 'Mains', online: '0', status: null, capacity: null },
      { type: 'USB', online: '1', status: null, capacity: null },
      { type: 'Battery', online: null, status: 'Discharging', capacity: '40' },
    ]);
    assert.equal(typeof d !== 'string' && d.on_battery, false);
  });
});
