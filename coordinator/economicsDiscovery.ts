// Home Assistant device discovery for the coordinator (HA MQTT integration,
// "Device discovery payload", HA ≥ 2024.11), the same shape the agents use
// (agent/discovery/haPayload.ts): one retained message that makes the
// coordinator a device whose sensors read <base>/coordinator/economics and
// the treasury signal. Available while <base>/coordinator/status is online.
import { VERSION } from '../agent/deviceInfo.ts';
import { economicsTopic, treasurySignalTopic } from '../protocol/economics.ts';

export function coordinatorDiscovery(base: string, prefix: string, currency: string): { topic: string; payload: string } {
  const id = `hashling_${base.replace(/[^A-Za-z0-9_-]/g, '_')}_coordinator`;
  const state = economicsTopic(base);
  const sensor = (key: string, name: string, template: string, extra: Record<string, unknown> = {}) => ({
    p: 'sensor', name, unique_id: `${id}_${key}`, state_topic: state, value_template: template, ...extra,
  });
  const money = { unit_of_measurement: `${currency}/d`, state_class: 'measurement' };
  const payload = {
    dev: { ids: [id], name: `hashling coordinator (${base})`, mf: 'hashling', mdl: 'coordinator', sw: VERSION },
    o: { name: 'hashling', sw: VERSION },
    availability: [{ topic: `${base}/coordinator/status`, value_template: "{{ 'online' if value_json.state == 'online' else 'offline' }}", payload_available: 'online', payload_not_available: 'offline' }],
    qos: 1,
    cmps: {
      hashrate: sensor('hashrate', 'Fleet hashrate', '{{ value_json.fleet.hashrate_hps }}', { unit_of_measurement: 'H/s', state_class: 'measurement' }),
      energy_per_day: sensor('kwh_per_day', 'Fleet energy per day', '{{ value_json.fleet.kwh_per_day }}', { unit_of_measurement: 'kWh/d', state_class: 'measurement' }),
      cost_per_day: sensor('cost_per_day', 'Energy cost per day', '{{ value_json.fleet.cost_per_day }}', money),
      revenue_per_day: sensor('revenue_per_day', 'Expected revenue per day', '{{ value_json.fleet.revenue_per_day }}', money),
      margin_per_day: sensor('margin_per_day', 'Margin per day', '{{ value_json.fleet.margin_per_day }}', money),
      break_even_price: sensor('break_even_price', 'Break-even coin price', '{{ value_json.fleet.break_even_price }}', { unit_of_measurement: currency, state_class: 'measurement' }),
      break_even_tariff: sensor('break_even_tariff', 'Break-even tariff', '{{ value_json.fleet.break_even_tariff }}', { unit_of_measurement: `${currency}/kWh`, state_class: 'measurement' }),
      treasury_signal: { p: 'sensor', name: 'Treasury signal', unique_id: `${id}_treasury_signal`, state_topic: treasurySignalTopic(base), value_template: '{{ value_json.action }}', device_class: 'enum', options: ['hold', 'sell'] },
    },
  };
  return { topic: `${prefix}/device/${id}/config`, payload: JSON.stringify(payload) };
}
