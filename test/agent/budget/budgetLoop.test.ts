import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BudgetLoop, type BudgetEvent } from '../../../agent/budget/budgetLoop.ts';
import { FakeSensor } from '../../../agent/sensors/fakes.ts';
import { PolledCommand, parseThrottled } from '../../../agent/sensors/vcgencmd.ts';
import { PROFILES } from '../../../agent/control/profiles.ts';
import { loadConfig } from '../../../config/load.ts';
import { applyConfigPatch } from '../../../config/patch.ts';
import { FakeClock } from '../../helpers/fakeClock.ts';
import type { SupplyState } from '../../../agent/sensors/types.ts';

function setup(env: Record<string, string> = {}, temp = new FakeSensor<number>('temp', 50, 'thermal:cpu-thermal')) {
  const clock = new FakeClock();
  const power = new FakeSensor<number>('power', 4, 'hwmon:ina219');
  const modelPower = new FakeSensor<number>('power', 3.5, 'model');
  const supply = new FakeSensor<SupplyState>('supply', { on_battery: false, ac_online: null, battery_percent: null }, 'none');
  let spawns = 0;
  const throttled = new PolledCommand('throttled', 'vcgencmd', ['get_throttled'], 30_000, async () => { spawns++; return 'throttled=0x50005'; }, parseThrottled);
  const applied: [number, number][] = [];
  const events: BudgetEvent[] = [];
  let stateChanges = 0;
  const config = loadConfig({ env, host: { cores: 4 } });
  const loop = new BudgetLoop({
    budget: config.budget, sensorsConfig: config.sensors, threads: 4, clock, localTime: () => ({ day: 1, minute: 720 }),
    sensors: { profile: 'pi4', model: PROFILES.pi4, temperature: temp, power, modelPower, supply, throttled },
    applyLevel: (l, p) => applied.push([l, p]), onEvent: (e) => events.push(e), onStateChange: () => { stateChanges++; },
  });
  const ticks = async (n: number) => { for (let i = 0; i < n; i++) { clock.t += 1000; await loop.tick(); await throttled.idle(); } };
  const patch = (p: Record<string, unknown>) => applyConfigPatch(config, Object.fromEntries(Object.entries(p).map(([k, v]) => [`budget.${k}`, v])), { remote: true, host: { cores: 4 } });
  return { clock, temp, power, supply, loop, applied, events, ticks, patch, spawns: () => spawns, stateChanges: () => stateChanges };
}

describe('BudgetLoop', () => {
  it('on a device with no temperature sensor at all, warns once and hashes on every thread', async () => {
    const none = new FakeSensor<number>('temp', null, 'none');
    none.fail('no temperature sensor under /sys/class/thermal or class/hwmon');
    const h = setup({}, none);
    h.loop.start();
    await h.ticks(20);
    const s = h.loop.snapshot();
    assert.equal(s.telemetry.throttle_level, 4);
    assert.equal(s.state.limited_by, null);
    assert.equal(h.events.length, 1);
    assert.match(h.events[0].message, /temperature limits are inactive/);
    await h.loop.stop();
  });

  it('with budget.require_temp_sensor, a device without a sensor holds the fallback level', async () => {
    const none = new FakeSensor<number>('temp', null, 'none');
    const h = setup({ HASHLING_BUDGET_REQUIRE_TEMP_SENSOR: 'true' }, none);
    h.loop.start();
    await h.ticks(20);
    assert.equal(h.loop.snapshot().telemetry.throttle_level, 1);
    assert.equal(h.loop.snapshot().state.limited_by, 'sensor');
    await h.loop.stop();
  });

  it('a sensor that worked and then reports no sensor at all falls back', async () => {
    const h = setup();
    h.loop.start();
    await h.ticks(10);
    h.temp.fail('gone');
    (h.temp as unknown as { source: string }).source = 'none';
    h.temp.fail('no temperature sensor under /sys/class/thermal or class/hwmon');
    await h.ticks(5);
    assert.equal(h.loop.snapshot().state.limited_by, 'sensor');
    assert.equal(h.loop.snapshot().telemetry.throttle_level, 1);
    await h.loop.stop();
  });

  it('does nothing until started, then ticks at once and every interval_ms', async () => {
    const h = setup();
    assert.equal(h.clock.pending, 0);
    assert.equal(h.temp.reads, 0, 'the constructor only assigns');
    h.loop.start();
    await h.loop.tick();
    assert.equal(h.clock.pending, 1);
    const reads = h.temp.reads;
    h.clock.advance(999);
    await h.loop.tick();
    assert.equal(h.temp.reads, reads + 1, 'only the explicit tick read the sensor before interval_ms');
    h.clock.advance(1);
    await new Promise((r) => setImmediate(r));
    assert.equal(h.temp.reads, reads + 2, 'the timer ticks at interval_ms');
    assert.deepEqual(h.applied[0], [0.25, 200], 'the first level is one ramp step, with the configured duty period');
    await h.loop.stop();
    assert.equal(h.clock.pending, 0);
  });

  it('ramps a cool device to every thread and reports it in telemetry', async () => {
    const h = setup();
    h.loop.start();
    await h.ticks(20);
    const s = h.loop.snapshot();
    assert.equal(s.telemetry.throttle_level, 4);
    assert.equal(s.state.limited_by, null);
    assert.deepEqual({ temp_c: s.telemetry.temp_c, power_w: s.telemetry.power_w, power_source: s.telemetry.power_source }, { temp_c: 50, power_w: 4, power_source: 'hwmon:ina219' });
    assert.deepEqual(s.telemetry.throttled_flags?.now, ['under_voltage', 'throttled']);
    await h.loop.stop();
  });

  it('reports fractional levels as whole threads plus a duty', async () => {
    const h = setup({ HASHLING_BUDGET_MAX_CPU_PERCENT: '60' });
    h.loop.start();
    await h.ticks(15);
    const s = h.loop.snapshot();
    assert.equal(s.telemetry.throttle_level, 2.4);
    assert.equal(s.telemetry.duty, 0.4);
    assert.equal(s.state.limited_by, 'cpu');
    await h.loop.stop();
  });

  it('warns once when the temperature file disappears and holds the fallback level, then recovers', async () => {
    const h = setup();
    h.loop.start();
    await h.ticks(20);
    h.temp.fail('cannot read /sys/class/thermal/thermal_zone0/temp: ENOENT');
    await h.ticks(10);
    assert.equal(h.events.length, 1);
    assert.deepEqual({ type: h.events[0].type, code: h.events[0].code }, { type: 'warning', code: 'E_SENSOR' });
    assert.match(h.events[0].message, /temperature sensor \(thermal:cpu-thermal\): cannot read .*ENOENT; holding at most 25 % of threads/);
    const s = h.loop.snapshot();
    assert.equal(s.telemetry.throttle_level, 1);
    assert.equal(s.state.limited_by, 'sensor');
    assert.equal(s.telemetry.temp_c, null);
    h.temp.set(52);
    await h.ticks(1);
    assert.deepEqual(h.loop.snapshot().state.sensor_faults, {});
    await h.loop.stop();
  });

  it('treats a 30 °C jump as a fault, not a reason to cut off', async () => {
    const h = setup();
    h.loop.start();
    await h.ticks(20);
    h.temp.set(85);
    await h.ticks(1);
    assert.equal(h.loop.snapshot().state.limited_by, 'sensor');
    assert.match(h.events[0].message, /jumped/);
    await h.loop.stop();
  });

  it('falls back to the power model when the power meter fails', async () => {
    const h = setup();
    h.loop.start();
    await h.ticks(2);
    h.power.fail('EIO');
    await h.ticks(3);
    const s = h.loop.snapshot();
    assert.equal(s.telemetry.power_source, 'model');
    assert.equal(s.telemetry.power_w, 3.5);
    assert.equal(h.events.filter((e) => e.message.startsWith('power sensor')).length, 1);
    await h.loop.stop();
  });

  it('spawns vcgencmd on its own slow interval, not per tick', async () => {
    const h = setup();
    h.loop.start();
    await h.ticks(60);
    assert.ok(h.spawns() <= 3, `${h.spawns()} spawns in 60 ticks`);
    await h.loop.stop();
  });

  it('publishes state on changes, not every tick', async () => {
    const h = setup();
    h.loop.start();
    await h.ticks(60);
    const before = h.stateChanges();
    await h.ticks(60);
    assert.equal(h.stateChanges(), before, 'a steady loop does not republish state');
    h.supply.set({ on_battery: true, ac_online: false, battery_percent: 80 });
    await h.ticks(1);
    assert.equal(h.stateChanges(), before + 1);
    assert.equal(h.loop.snapshot().state.limited_by, 'battery');
    await h.loop.stop();
  });

  it('applies a valid budget/set on the next tick; an invalid one is refused whole by the config rules', async () => {
    const h = setup();
    h.loop.start();
    await h.ticks(20);
    const bad = h.patch({ max_cpu_percent: 150, temp_target_c: 'hot', nope: 1 });
    assert.equal(bad.ok, false);
    assert.equal(!bad.ok && bad.problems.length, 3);
    assert.equal(h.patch({ temp_target_c: 85 }).ok, false, 'target above the cutoff is refused');
    const good = h.patch({ max_cpu_percent: 50, power_w: 10 });
    assert.ok(good.ok);
    assert.deepEqual(good.changed, ['budget.max_cpu_percent', 'budget.power_w']);
    await h.ticks(1);
    assert.equal(h.loop.snapshot().telemetry.throttle_level, 4, 'nothing changes until the budget is handed over');
    h.loop.setBudget(good.config.budget);
    await h.ticks(1);
    assert.equal(h.loop.snapshot().telemetry.throttle_level, 2);
    assert.equal(h.loop.snapshot().state.setpoints?.power_w, 10);
    await h.loop.stop();
  });

  it('pauses at once and resumes on the operator\'s word', async () => {
    const h = setup();
    h.loop.start();
    await h.ticks(20);
    h.loop.setPaused(true);
    await h.loop.tick();
    assert.deepEqual(h.applied.at(-1), [0, 200]);
    assert.equal(h.loop.snapshot().state.paused, true);
    h.loop.setPaused(false);
    await h.ticks(1);
    assert.ok(h.applied.at(-1)![0] > 0);
    await h.loop.stop();
  });

  it('applies and reports nothing after stop() resolves', async () => {
    const h = setup();
    h.loop.start();
    await h.ticks(3);
    await h.loop.stop();
    const n = h.applied.length;
    h.temp.fail('gone');
    await h.ticks(5);
    h.loop.setPaused(true);
    assert.equal(h.applied.length, n);
    assert.equal(h.events.length, 0);
  });
});
