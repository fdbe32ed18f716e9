// The live path end to end: a private Mosquitto, the coordinator with the demo
// source (network difficulty from the job's nBits 0x1d00ffff, 50 coins in its
// coinbase), a real `hashling agent`, a retained market price, and a tariff
// window above break-even on an injected local clock: the policy pauses the
// device within one period, resumes it when the window ends, and does not flap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startMosquitto } from '../helpers/mosquitto.ts';
import { Collector } from '../helpers/collector.ts';
import { spawnAgent } from '../helpers/agentProcess.ts';
import { loadConfig } from '../../config/load.ts';
import { Coordinator } from '../../coordinator/coordinator.ts';
import { DemoSource } from '../../coordinator/demoSource.ts';
import type { LocalTime } from '../../agent/control/schedule.ts';

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
  const coordinator = new Coordinator({ config, source: new DemoSource({ difficulty: 1e-4, jobIntervalMs: 0 }), localTime: () => local });
  const watch = await Collector.connect(broker.url, ['hashling/coordinator/#', 'hashling/pi-e/state', 'hashling/pi-e/cmd/#', 'homeassistant/device/+/config']);
  const agent = spawnAgent(['--broker', broker.url, '--device-id', 'pi-e', '--threads', '1']);
  try {
    await coordinator.start();
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
    const hass = watch.on('homeassistant/device/+/config').find((m) => m.topic.includes('coordinator'));
    assert.ok(hass?.json?.cmps?.cost_per_day, 'the coordinator is a Home Assistant device with economics sensors');
    const signal = await watch.wait('hashling/coordinator/treasury/signal');
    assert.deepEqual([signal.json.policy, signal.json.action, signal.json.fraction], ['sell-on-receipt', 'sell', 1]);

    // The window starts: above break-even, so the device is paused within one period.
    local = { day: 1, minute: 13 * 60 };
    const switchedIn = Date.now();
    const paused = await watch.wait('hashling/coordinator/economics/decision', (j) => j.action === 'pause', 10_000);
    assert.ok(paused.at - switchedIn <= PERIOD_S * 1000 + 500, `pause decided ${paused.at - switchedIn} ms after the window began`);
    assert.ok(paused.json.cost_per_day > paused.json.revenue_per_day);
    assert.ok(watch.on('hashling/pi-e/cmd/pause').length === 1 && !watch.on('hashling/pi-e/cmd/pause')[0]!.retain);
    await watch.wait('hashling/pi-e/state', (j) => j.mode === 'paused', 10_000);
    // Several periods inside the window: no further commands.
    await new Promise((r) => setTimeout(r, 4 * PERIOD_S * 1000));
    const held = (await watch.wait('hashling/coordinator/economics', (j, m) => m.at > Date.now() - 1500)).json;
    assert.deepEqual(held.devices['pi-e'].policy, { paused: true, max_cpu_percent: null });

    // The window ends: resumed within one period.
    local = { day: 1, minute: 14 * 60 };
    const switchedOut = Date.now();
    const resumed = await watch.wait('hashling/coordinator/economics/decision', (j) => j.action === 'resume', 10_000);
    assert.ok(resumed.at - switchedOut <= PERIOD_S * 1000 + 500, `resume decided ${resumed.at - switchedOut} ms after the window ended`);
    await watch.wait('hashling/pi-e/state', (j, m) => j.mode !== 'paused' && m.at > switchedOut, 10_000);
    await new Promise((r) => setTimeout(r, 4 * PERIOD_S * 1000));
    // No flapping: exactly one pause and one resume, both commands and decisions.
    assert.deepEqual(watch.on('hashling/coordinator/economics/decision').map((m) => m.json.action), ['pause', 'resume']);
    assert.equal(watch.on('hashling/pi-e/cmd/+').length, 2);
  } finally {
    agent.proc.kill('SIGTERM');
    await Promise.race([agent.exited, new Promise((r) => setTimeout(r, 6000))]);
    await coordinator.stop();
    await watch.close();
    await broker.stop();
  }
});
