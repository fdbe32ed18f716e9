// The economics part of the wire contract: the coordinator as a Home Assistant
// device, what it reads from device payloads, and the economics message as its
// reader (fleet list) parses it, and the held messages a restarted coordinator reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { budgetFromState, economicsPayload, heldPayload, parseEconomicsSummary, parseHeld, powerFromTelemetry } from '../../protocol/economics.ts';
import type { HashlingError } from '../../protocol/errors.ts';
import { buildCoordinatorHaDiscovery } from '../../protocol/homeAssistant.ts';
import { economicsDecisionTopic, economicsHeldTopic, economicsTopic, marketPriceTopic, parseEconomicsHeldTopic, treasurySignalTopic } from '../../protocol/topics.ts';

test('the economics topics', () => {
  assert.equal(marketPriceTopic('farm', 'ltc'), 'farm/market/ltc/price');
  assert.equal(economicsTopic('farm'), 'farm/coordinator/economics');
  assert.equal(economicsDecisionTopic('farm'), 'farm/coordinator/economics/decision');
  assert.equal(treasurySignalTopic('farm'), 'farm/coordinator/treasury/signal');
});

test('the coordinator is a Home Assistant device on <prefix>/device/coordinator/config, its sensors reading the economics message', () => {
  const m = buildCoordinatorHaDiscovery({ base: 'farm', prefix: 'ha', currency: 'EUR', version: '1.2.3' });
  const p = m.payload as any;
  assert.equal(m.topic, 'ha/device/coordinator/config');
  assert.deepEqual(p.dev.ids, ['hashling_coordinator']);
  assert.equal(p.o.sw, '1.2.3');
  assert.equal(p.availability[0].topic, 'farm/coordinator/status');
  const ids = new Set<string>();
  for (const [k, c] of Object.entries(p.cmps as Record<string, any>)) {
    assert.equal(c.p, 'sensor', k);
    assert.match(c.unique_id, /^hashling_coordinator_/);
    ids.add(c.unique_id);
    assert.equal(c.state_topic, k === 'treasury_signal' ? 'farm/coordinator/treasury/signal' : 'farm/coordinator/economics', k);
  }
  assert.equal(ids.size, Object.keys(p.cmps).length, 'unique ids are unique');
  assert.equal(p.cmps.cost_per_day.unit_of_measurement, 'EUR/d');
  assert.equal(p.cmps.margin_per_day.value_template, '{{ value_json.fleet.margin_per_day }}');
});

test('power from telemetry: believable watts only; power_source kept to tell measured from modelled', () => {
  assert.deepEqual(powerFromTelemetry('{"v":1,"power_w":3.2,"power_source":"pmic"}'), { power_w: 3.2, power_source: 'pmic' });
  assert.deepEqual(powerFromTelemetry('{"v":1,"power_w":3.2}'), { power_w: 3.2, power_source: 'unknown' });
  for (const p of ['{"power_w":null}', '{"power_w":-1}', '{"power_w":1e9}', '[1]', '{"power_w":"3"}']) assert.equal(powerFromTelemetry(p), null, p);
  assert.throws(() => powerFromTelemetry(`{"pad":"${'x'.repeat(20_000)}"}`), (e: HashlingError) => e.code === 'E_TOO_LARGE');
  assert.throws(() => powerFromTelemetry('{"constructor":{"power_w":1}}'), (e: HashlingError) => e.code === 'E_FORBIDDEN_KEY');
});

test('the budget a device runs with, from its state: max_level over threads as max_cpu_percent', () => {
  assert.deepEqual(budgetFromState('{"v":1,"mode":"hashing","threads":4,"setpoints":{"max_level":3}}'), { mode: 'hashing', max_cpu_percent: 75 });
  assert.deepEqual(budgetFromState('{"v":1,"mode":"paused","threads":4,"setpoints":null}'), { mode: 'paused', max_cpu_percent: null });
  assert.deepEqual(budgetFromState('{"threads":0,"setpoints":{"max_level":1}}'), { mode: null, max_cpu_percent: null });
  assert.throws(() => budgetFromState('{'), (e: HashlingError) => e.code === 'E_BAD_JSON');
});

test('the economics message: what fleet list reads', () => {
  const msg = economicsPayload({
    currency: 'USD', fleet: { revenue_per_day: 0.5, cost_per_day: 0.04, margin_per_day: 0.46 },
    devices: { a: { revenue_per_day: 0.5, cost_per_day: 0.04, policy: null }, b: { revenue_per_day: null, cost_per_day: 'x', policy: { paused: true, max_cpu_percent: null } } },
  }, 'budget', 1000);
  assert.deepEqual(Object.keys(JSON.parse(msg)).slice(0, 3), ['v', 'ts', 'policy']);
  const s = parseEconomicsSummary(JSON.parse(msg))!;
  assert.equal(s.currency, 'USD');
  assert.deepEqual(s.fleet, { revenue_per_day: 0.5, cost_per_day: 0.04, margin_per_day: 0.46 });
  assert.deepEqual(s.devices.get('b'), { revenue_per_day: null, cost_per_day: null });
  assert.equal(parseEconomicsSummary({ v: 2, currency: 'USD' }), null);
});

test('held messages: one small retained topic per device the policy holds, read back by a restarted coordinator', () => {
  assert.equal(economicsHeldTopic('farm', 'pi-1'), 'farm/coordinator/economics/held/pi-1');
  assert.equal(parseEconomicsHeldTopic('farm', 'farm/coordinator/economics/held/pi-1'), 'pi-1');
  assert.equal(parseEconomicsHeldTopic('farm', 'farm/coordinator/economics/held/all'), null);
  assert.equal(parseEconomicsHeldTopic('farm', 'farm/coordinator/economics'), null);
  assert.deepEqual(parseHeld(heldPayload({ paused: true, max_cpu_percent: null }, 5)), { paused: true, max_cpu_percent: null });
  assert.deepEqual(parseHeld(heldPayload({ paused: false, max_cpu_percent: 40 }, 5)), { paused: false, max_cpu_percent: 40 });
  for (const p of ['', '{"v":1,"paused":false,"max_cpu_percent":null}', '{"v":2,"paused":true}', '{"v":1,"max_cpu_percent":400}']) assert.equal(parseHeld(p), null, p);
  assert.throws(() => parseHeld(`{"v":1,"paused":true,"pad":"${'x'.repeat(2000)}"}`), (e: HashlingError) => e.code === 'E_TOO_LARGE');
});
