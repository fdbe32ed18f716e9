// The live path end to end: a private Mosquitto, the coordinator with the demo
// source (network difficulty from the job's nBits 0x1d00ffff, 50 coins in its
// coinbase) and the economics component beside it on the coordinator's link,
// started as `hashling coordinator` starts them; a real `hashling agent`, a
// retained market price, and a tariff window above break-even on an injected
// local clock: the policy pauses the device within one period, resumes it when
// the window ends, and does not flap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LocalTime } from '../../config/schedule.ts';
import { loadConfig } from '../../config/load.ts';
import { DemoSource } from '../../coordinator/demoSource.ts';
import { createCoordinator, createEconomics } from '../../coordinator/fromConfig.ts';
import { startMosquitto } from '../../harness/mosquitto.ts';
import { startAll } from '../../lifecycle/component.ts';
import { spawnAgent } from '../helpers/agentProcess.ts';
import { Collector } from '../helpers/collector.ts';
import { FakeClock } from '../helpers/fakeClock.ts';

const PERIOD_S = 1;

test('economics from the job\'s nBits; a tariff window above break-even pauses the device within one period and its end resumes it, once each', { timeout: 120_000 }, async () => {
  const broker = await startMosquitto();
  // The local wall clock the tariff windows are read on: Monday 12:00 until the test moves it.
  let local: LocalTime = { day: 1, minute: 12 * 60 };
  const config = loadConfig({
    env: {},
    overrides: {
      broker: { url: broker.url, reconnect_min_ms: 200, reconnect_max_ms: 1000 },
      coordinator: { source: 'demo', share_interval_s: 1, unit_seconds: 5, stats_interval_s: 1 },
      discovery: { homeassistant: true },
      economics: {
        coin: 'btc', currency: 'USD', tariff_per_kwh: 0, period_s: PERIOD_S, policy: 'pause_when_unprofitable', hysteresis: 0.1, min_hold_s: 0,
        tariff_windows: [{ from: '13:00', to: '14:00', price_per_kwh: 5 }], treasury_policy: 'sell-on-receipt',
      },
    },
  });
  const log: string[] = [];
  const coordinator = createCoordinator(config, { source: new DemoSource({ difficulty: 1e-4, jobIntervalMs: 0 }), log: (l) => log.push(l) });
  const economics = createEconomics(config, coordinator, { version: 'test', localTime: () => local, log: (l) => log.push(l) });
  const watch = await Collector.connect(broker.url, ['hashling/coordinator/#', 'hashling/pi-e/state', 'hashling/pi-e/cmd/#', 'homeassistant/device/+/config']);
  const agent = spawnAgent(['--broker', broker.url, '--device-id', 'pi-e', '--threads', '1']);
  let running: Awaited<ReturnType<typeof startAll>> | null = null;
  try {
    running = await startAll([coordinator, economics], (l) => log.push(l));
    // Revenue at ~1 MH/s, difficulty 1, 50 coins a block: ~1,000 coins/day; at 1e-6 USD a coin ~0.001 USD/day,
    // against a few watts: break-even tariff ~0.01 USD/kWh, far below the window's 5 USD/kWh.
    await watch.publish('hashling/market/btc/price', JSON.stringify({ v: 1, price: 1e-6, currency: 'USD', ts: Date.now() }), { retain: true });
    const ready = await watch.wait('hashling/coordinator/economics', (j) => j?.devices?.['pi-e']?.hashing?.revenue_per_day > 0 && j.devices['pi-e'].power_w !== null, 60_000);
    const e = ready.json;
    assert.equal(ready.retain, false); // a live delivery; the broker keeps the retained copy
    assert.equal(e.network.nbits, '1d00ffff');
    assert.equal(e.network.difficulty, 1);
    assert.equal(e.network.reward_source, 'coinbase');
    assert.equal(e.price.source, 'mqtt');
    assert.ok(e.fleet.break_even_tariff > 0 && e.fleet.break_even_tariff < 5, `break-even tariff ${e.fleet.break_even_tariff}`);
    assert.equal(e.devices['pi-e'].policy, null);
    const late = await Collector.connect(broker.url, ['homeassistant/device/+/config']);
    const hass = await late.wait('homeassistant/device/coordinator/config');
    await late.close();
    assert.ok(hass.retain, 'the discovery message is retained');
    assert.ok(hass.json?.cmps?.cost_per_day, 'the coordinator is a Home Assistant device with economics sensors');
    assert.equal(hass.json.availability[0].topic, 'hashling/coordinator/status');
    const signal = await watch.wait('hashling/coordinator/treasury/signal');
    assert.deepEqual([signal.json.policy, signal.json.action, signal.json.fraction], ['sell-on-receipt', 'sell', 1]);

    // The window starts: above break-even, so the device is paused within one period.
    local = { day: 1, minute: 13 * 60 };
    const switchedIn = Date.now();
    const paused = await watch.wait('hashling/coordinator/economics/decision', (j) => j.action === 'pause', 10_000);
    assert.ok(paused.at - switchedIn <= PERIOD_S * 1000 + 500, `pause decided ${paused.at - switchedIn} ms after the window began`);
    assert.ok(paused.json.cost_per_day > paused.json.revenue_per_day);
    const pauseCmd = watch.on('hashling/pi-e/cmd/pause');
    assert.equal(pauseCmd.length, 1);
    assert.equal(pauseCmd[0].retain, false);
    assert.equal(pauseCmd[0].json.v, 1, 'the command payload of protocol/commands.ts');
    assert.match(pauseCmd[0].json.transaction, /^economics-/);
    await watch.wait('hashling/pi-e/state', (j) => j.mode === 'paused', 10_000);
    assert.equal((await watch.wait('hashling/coordinator/economics/held/pi-e')).json.paused, true, 'what the policy holds is kept retained');
    // Several periods inside the window: no further commands.
    await new Promise((r) => setTimeout(r, 4 * PERIOD_S * 1000));
    const held = (await watch.wait('hashling/coordinator/economics', (_j, m) => m.at > Date.now() - 1500)).json;
    assert.deepEqual(held.devices['pi-e'].policy, { paused: true, max_cpu_percent: null });

    // The window ends: resumed within one period.
    local = { day: 1, minute: 14 * 60 };
    const switchedOut = Date.now();
    const resumed = await watch.wait('hashling/coordinator/economics/decision', (j) => j.action === 'resume', 10_000);
    assert.ok(resumed.at - switchedOut <= PERIOD_S * 1000 + 500, `resume decided ${resumed.at - switchedOut} ms after the window ended`);
    await watch.wait('hashling/pi-e/state', (j, m) => j.mode !== 'paused' && m.at > switchedOut, 10_000);
    await watch.wait('hashling/coordinator/economics/held/pi-e', (_j, m) => m.raw === '', 5000);
    await new Promise((r) => setTimeout(r, 4 * PERIOD_S * 1000));
    // No flapping: exactly one pause and one resume, both commands and decisions.
    assert.deepEqual(watch.on('hashling/coordinator/economics/decision').map((m) => m.json.action), ['pause', 'resume']);
    assert.equal(watch.on('hashling/pi-e/cmd/+').length, 2);
    assert.ok(log.some((l) => /economics: pause pi-e: unprofitable/.test(l)), 'each decision is logged');
  } finally {
    agent.proc.kill('SIGTERM');
    await Promise.race([agent.exited, new Promise((r) => setTimeout(r, 6000))]);
    await running?.stop();
    await watch.close();
    await broker.stop();
  }
});

test('the economics component: its period runs on the injected clock, bad prices are logged with their code, what an earlier run held is given back, stop leaves no timer and publishes nothing more', { timeout: 60_000 }, async () => {
  const broker = await startMosquitto();
  const clock = new FakeClock(Date.now());
  const config = loadConfig({
    env: {},
    overrides: {
      broker: { url: broker.url },
      coordinator: { source: 'demo' },
      discovery: { homeassistant: false },
      economics: { period_s: 60, price: 0 },
    },
  });
  const log: string[] = [];
  const coordinator = createCoordinator(config, { source: new DemoSource({ difficulty: 1e-4, jobIntervalMs: 0 }), log: (l) => log.push(l) });
  const economics = createEconomics(config, coordinator, { version: 'test', clock, log: (l) => log.push(l) });
  await assert.rejects(async () => economics.start(), /coordinator must be started first/, 'it needs the coordinator\'s link');
  const watch = await Collector.connect(broker.url, ['hashling/coordinator/economics', 'hashling/coordinator/treasury/signal', 'hashling/coordinator/economics/#', 'hashling/pi-x/cmd/#']);
  // An earlier run paused pi-x; this one runs with policy off, so it gives it back.
  await watch.publish('hashling/coordinator/economics/held/pi-x', '{"v":1,"paused":true,"max_cpu_percent":null,"ts":1}', { retain: true });
  await watch.publish('hashling/pi-x/status', '{"v":1,"state":"online","ts":1}', { retain: true });
  const running = await startAll([coordinator, economics], (l) => log.push(l));
  try {
    assert.equal(clock.pending, 1, 'one period timer');
    await watch.publish('hashling/market/btc/price', '{"v":1,"price":1,"currency":"EUR"}', { retain: true });
    await watch.publish('hashling/market/btc/price', `{"v":1,"price":1,"currency":"USD","pad":"${'x'.repeat(5000)}"}`);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(watch.on('hashling/coordinator/economics').length, 0, 'nothing before the first period');
    clock.advance(60_000);
    const e = await watch.wait('hashling/coordinator/economics', () => true, 5000);
    assert.equal(e.json.price.status, 'invalid');
    assert.match(e.json.price.detail, /^E_TOO_LARGE /);
    assert.equal(e.json.price.value, null, 'no price: revenue unknown, never guessed');
    assert.ok(log.some((l) => /economics: E_BAD_PRICE while handling price: price is in EUR/.test(l)), log.join('\n'));
    const signal = await watch.wait('hashling/coordinator/treasury/signal', () => true, 5000);
    assert.deepEqual([signal.json.action, signal.json.reason], ['hold', 'price unknown']);
    const resume = await watch.wait('hashling/pi-x/cmd/resume', () => true, 5000);
    assert.match(resume.json.transaction, /^economics-/);
    const decision = await watch.wait('hashling/coordinator/economics/decision', () => true, 5000);
    assert.deepEqual([decision.json.device, decision.json.action, decision.json.reason], ['pi-x', 'resume', 'policy off: resuming a device it had paused']);
    await watch.wait('hashling/coordinator/economics/held/pi-x', (_j, m) => m.raw === '', 5000);
    assert.ok(log.some((l) => l === 'economics: restored what an earlier run held: 1 device(s)'), log.join('\n'));
  } finally {
    await running.stop();
  }
  assert.equal(clock.pending, 0, 'stop() cleared the period timer');
  const before = watch.messages.length;
  clock.advance(120_000);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(watch.messages.length, before, 'nothing published after stop()');
  await watch.close();
  await broker.stop();
});
