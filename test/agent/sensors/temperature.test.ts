import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FIXTURES, scratchTree } from './helpers.ts';
import { SysfsTemperature, parseMilliCelsius, pickCandidate, PREFERRED_ZONE_TYPES } from '../../../agent/sensors/temperature.ts';

describe('SysfsTemperature', () => {
  it('reads the Pi 4 cpu-thermal zone in °C from millidegrees', async () => {
    assert.deepEqual(await new SysfsTemperature(join(FIXTURES, 'pi4')).read(), { ok: true, value: 48.686, source: 'thermal:cpu-thermal' });
  });

  it('prefers x86_pkg_temp over an earlier acpitz zone', async () => {
    assert.deepEqual(await new SysfsTemperature(join(FIXTURES, 'x86')).read(), { ok: true, value: 54, source: 'thermal:x86_pkg_temp' });
  });

  it('reads the zone named by sensors.temp_zone, by directory or by type', async () => {
    const byDir = await new SysfsTemperature(join(FIXTURES, 'x86'), 'thermal_zone0').read();
    const byType = await new SysfsTemperature(join(FIXTURES, 'x86'), 'INT3400 Thermal').read();
    assert.equal(byDir.ok && byDir.value, 27.8);
    assert.equal(byType.ok && byType.value, 20);
  });

  it('falls back to hwmon, choosing coretemp over a board chip listed first', async () => {
    assert.deepEqual(await new SysfsTemperature(join(FIXTURES, 'hwmon-only')).read(), { ok: true, value: 61, source: 'hwmon:coretemp' });
  });

  it('reports garbage in the zone file as a fault', async () => {
    const r = await new SysfsTemperature(join(FIXTURES, 'garbage')).read();
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.fault : '', /not an integer/);
  });

  it('reports a tree without sensors as a fault naming the root', async () => {
    const r = await new SysfsTemperature(join(FIXTURES, 'empty')).read();
    assert.match(!r.ok ? r.fault : '', /no temperature sensor under .*empty/);
  });

  it('reports a removed file with its errno, then finds the zone again when it returns', async () => {
    const t = scratchTree('pi4');
    try {
      const s = new SysfsTemperature(t.root);
      assert.equal((await s.read()).ok, true);
      t.remove('class/thermal/thermal_zone0/temp');
      const r = await s.read();
      // The hwmon mirror is not used as a silent substitute on the same read: the fault is reported.
      assert.match(!r.ok ? r.fault : '', /ENOENT/);
      t.write('class/thermal/thermal_zone0/temp', '51000');
      assert.deepEqual(await s.read(), { ok: true, value: 51, source: 'thermal:cpu-thermal' });
    } finally {
      t.cleanup();
    }
  });
});

describe('parseMilliCelsius', () => {
  const cases: [string, number | RegExp][] = [
    ['48686', 48.686], ['-5000', -5], ['0', 0],
    ['48.6', /not an integer/], ['', /not an integer/], ['abc', /not an integer/],
    ['200000', /implausible/], ['-273000', /implausible/],
  ];
  for (const [text, want] of cases) {
    it(`parses ${JSON.stringify(text)}`, () => {
      const got = parseMilliCelsius(text);
      if (typeof want === 'number') assert.equal(got, want);
      else assert.match(String(got), want);
    });
  }
});

describe('pickCandidate', () => {
  it('returns null when the wanted zone does not exist rather than guessing', () => {
    assert.equal(pickCandidate([{ dir: 'thermal_zone0', kind: 'acpitz' }], PREFERRED_ZONE_TYPES, 'cpu-thermal'), null);
  });
  it('takes the first zone when none has a preferred type', () => {
    assert.deepEqual(pickCandidate([{ dir: 'a', kind: 'x' }, { dir: 'b', kind: 'y' }], PREFERRED_ZONE_TYPES, ''), { dir: 'a', kind: 'x' });
  });
});
