// Home Assistant MQTT device discovery of an agent, as a pure function.
//
// Schema: the device-based discovery payload of the HA MQTT integration
// (https://www.home-assistant.io/integrations/mqtt/#device-discovery-payload,
// HA ≥ 2024.11): one retained message on `<prefix>/device/<object_id>/config`
// whose root holds the shared `dev` (device) and `o` (origin) mappings, both
// mandatory, plus shared options (availability, qos); each entity is an entry of
// `cmps` (components) with its platform `p` and a `unique_id`. An empty retained
// payload on the same topic removes the device.
//
// Availability: `<base>/<id>/status` carries {"state": "online"|"offline"|"lost"};
// HA only knows payload_available / payload_not_available, so the template maps
// every state but online to offline (a `lost` device is unavailable too).
import { commandTopic, deviceTopic, haDiscoveryTopic } from './topics.ts';

export interface DiscoveryMessage {
  topic: string;
  payload: Record<string, unknown>;
}

export interface HaDevice {
  /** mqtt.base_topic */
  base: string;
  id: string;
  /** discovery.prefix */
  prefix: string;
  version: string;
  model: string;
}

export function buildHaDiscovery(device: HaDevice): DiscoveryMessage {
  const { base, id, prefix } = device;
  const t = (leaf: string) => deviceTopic(base, id, leaf);
  const uid = (name: string) => `hashling_${id}_${name}`;
  const telemetry = t('telemetry');
  const state = t('state');
  const sensor = (name: string, topic: string, tpl: string, extra: Record<string, unknown> = {}) =>
    ({ p: 'sensor', name, unique_id: uid(name.toLowerCase().replace(/\W+/g, '_')), state_topic: topic, value_template: tpl, ...extra });
  const button = (name: string, verb: string) =>
    ({ p: 'button', name, unique_id: uid(verb), command_topic: commandTopic(base, { kind: 'device', id }, verb), payload_press: '{"v":1}' });
  return {
    topic: haDiscoveryTopic(prefix, id),
    payload: {
      dev: { ids: [`hashling_${id}`], name: id, mf: 'hashling', mdl: device.model, sw: device.version },
      o: { name: 'hashling', sw: device.version },
      availability: [{ topic: t('status'), value_template: "{{ 'online' if value_json.state == 'online' else 'offline' }}", payload_available: 'online', payload_not_available: 'offline' }],
      qos: 1,
      cmps: {
        hashrate: sensor('Hashrate', telemetry, "{{ value_json.hashrate_hps['60s'] }}", { unit_of_measurement: 'H/s', state_class: 'measurement', icon: 'mdi:pickaxe' }),
        temperature: sensor('Temperature', telemetry, '{{ value_json.temp_c }}', { device_class: 'temperature', unit_of_measurement: '°C', state_class: 'measurement' }),
        power: sensor('Power', telemetry, '{{ value_json.power_w }}', { device_class: 'power', unit_of_measurement: 'W', state_class: 'measurement' }),
        shares: sensor('Shares', telemetry, '{{ value_json.shares_found }}', { state_class: 'total_increasing', icon: 'mdi:check-decagram' }),
        state: sensor('State', state, '{{ value_json.mode }}', { device_class: 'enum', options: ['idle', 'hashing', 'paused', 'throttled'] }),
        throttle: sensor('Throttle level', telemetry, '{{ value_json.throttle_level }}', { unit_of_measurement: 'threads', state_class: 'measurement', entity_category: 'diagnostic' }),
        pause: button('Pause', 'pause'),
        resume: button('Resume', 'resume'),
        temp_target: {
          p: 'number', name: 'Temperature target', unique_id: uid('temp_target'),
          command_topic: commandTopic(base, { kind: 'device', id }, 'budget/set'),
          command_template: '{"v":1,"temp_target_c":{{ value }}}',
          state_topic: state, value_template: '{{ value_json.temp_target_c }}',
          min: 30, max: 90, step: 0.5, mode: 'box', unit_of_measurement: '°C', device_class: 'temperature', entity_category: 'config',
        },
      },
    },
  };
}
