import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { FIXTURES } from './helpers.ts';
import { makeSensors } from '../../../agent/sensors/makeSensors.ts';
import { loadConfig } from '../../../config/load.ts';
import { PROFILES } from '../../../agent/control/profiles.ts';

const sensorsFor = (tree: string, extra: Record<string, string> = {}, deps: Parameters<typeof makeSensors>[2] = {}) => {
  const c = loadConfig({ env: { HASHLING_SENSORS_SYSFS_ROOT: join(FIXTURES, tree), ...extra } });
  return makeSensors(c.sensors, c.budget, deps);
};

describe('makeSensors', () => {
  it('detects a Raspberry Pi 4 from the device tree and uses its model', () => {
    const b = sensorsFor('pi4');
    assert.equal(b.profile, 'pi4');
    assert.deepEqual(b.model, PROFILES.pi4);
  });

  it('applies budget.idle_w / active_w_per_core overrides to the profile', () => {
    const b = sensorsFor('pi4', { HASHLING_BUDGET_IDLE_W: '2.5', HASHLING_BUDGET_ACTIVE_W_PER_CORE: '1.1' });
    assert.equal(b.model.idle_w, 2.5);
    assert.equal(b.model.active_w_per_core, 1.1);
    assert.equal(b.model.tau_s, PROFILES.pi4.tau_s);
  });

  it('never runs vcgencmd off a Raspberry Pi', async () => {
    let runs = 0;
    const b = sensorsFor('x86', {}, { run: async () => { runs++; return ''; } });
    assert.equal(b.profile, 'generic');
    assert.equal(b.throttled, null);
    await b.power.read(0);
    assert.equal(runs, 0);
  });

  it('reads Pi 5 power from the PMIC through vcgencmd', async () => {
    const captured = readFileSync(join(FIXTURES, 'pi5/vcgencmd/pmic_read_adc.txt'), 'utf8');
    const b = sensorsFor('pi5', {}, { run: async (args) => (args[0] === 'pmic_read_adc' ? captured : 'throttled=0x0') });
    assert.equal(b.profile, 'pi5');
    const first = await b.power.read(0);
    assert.equal(!first.ok && first.transient, true);
    await new Promise((r) => setImmediate(r));
    const r = await b.power.read(1000);
    assert.equal(r.ok && r.source, 'pmic');
  });

  it('uses the model, measured on this process\'s CPU time, when the board has no power meter', async () => {
    let us = 0;
    const b = sensorsFor('pi4', {}, { cpuMicros: () => us, run: async () => 'throttled=0x0' });
    await b.power.read(0);
    us = 1_000_000;
    const r = await b.power.read(1000);
    assert.deepEqual(r, { ok: true, value: PROFILES.pi4.idle_w + PROFILES.pi4.active_w_per_core, source: 'model' });
  });
});
