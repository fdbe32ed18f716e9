// Home Assistant MQTT device discovery of an agent, of the coordinator, and of a
// Stratum miner the coordinator announces on its behalf, as pure functions.
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
import { COORDINATOR_ID, commandTopic, deviceTopic, economicsTopic, haDiscoveryTopic, treasurySignalTopic } from './topics.ts';

/**
 * The range of the temperature-target number entity, in °C. The verb it sends,
 * budget/target, accepts exactly this range and nothing but temp_target_c, so
 * the Home Assistant account (which the broker lets send only pause, resume and
 * budget/target: deploy/mosquitto/hashling.acl) cannot set a device beyond it.
 */
export const HA_TEMP_TARGET_C = { min: 30, max: 90 } as const;

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

/** The root every hashling device's discovery message shares: dev, o, availability from `status`, qos. */
function deviceRoot(device: HaDevice, cmps: Record<string, unknown>): DiscoveryMessage {
  const { base, id, prefix } = device;
  return {
    topic: haDiscoveryTopic(prefix, id),
    payload: {
      dev: { ids: [`hashling_${id}`], name: id, mf: 'hashling', mdl: device.model, sw: device.version },
      o: { name: 'hashling', sw: device.version },
      availability: [{ topic: deviceTopic(base, id, 'status'), value_template: "{{ 'online' if value_json.state == 'online' else 'offline' }}", payload_available: 'online', payload_not_available: 'offline' }],
      qos: 1,
      cmps,
    },
  };
}

export function buildHaDiscovery(device: HaDevice): DiscoveryMessage {
  const { base, id } = device;
  const t = (leaf: string) => deviceTopic(base, id, leaf);
  const uid = (name: string) => `hashling_${id}_${name}`;
  const telemetry = t('telemetry');
  const state = t('state');
  const sensor = (name: string, topic: string, tpl: string, extra: Record<string, unknown> = {}) =>
    ({ p: 'sensor', name, unique_id: uid(name.toLowerCase().replace(/\W+/g, '_')), state_topic: topic, value_template: tpl, ...extra });
  const button = (name: string, verb: string) =>
    ({ p: 'button', name, unique_id: uid(verb), command_topic: commandTopic(base, { kind: 'device', id }, verb), payload_press: '{"v":1}' });
  return deviceRoot(device, {
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
      command_topic: commandTopic(base, { kind: 'device', id }, 'budget/target'),
      command_template: '{"v":1,"temp_target_c":{{ value }}}',
      state_topic: state, value_template: '{{ value_json.temp_target_c }}',
      min: HA_TEMP_TARGET_C.min, max: HA_TEMP_TARGET_C.max, step: 0.5, mode: 'box', unit_of_measurement: '°C', device_class: 'temperature', entity_category: 'config',
    },
  });
}

/**
 * A Stratum miner on the coordinator's endpoint (protocol/miners.ts): sensors
 * from its telemetry only; it takes no commands, so no buttons or numbers.
 */
export function buildMinerHaDiscovery(device: HaDevice): DiscoveryMessage {
  const { base, id } = device;
  const uid = (name: string) => `hashling_${id}_${name}`;
  const sensor = (key: string, name: string, tpl: string, extra: Record<string, unknown> = {}) =>
    ({ p: 'sensor', name, unique_id: uid(key), state_topic: deviceTopic(base, id, 'telemetry'), value_template: tpl, ...extra });
  return deviceRoot(device, {
    hashrate: sensor('hashrate', 'Hashrate', "{{ value_json.hashrate_hps['60s'] }}", { unit_of_measurement: 'H/s', state_class: 'measurement', icon: 'mdi:pickaxe' }),
    shares: sensor('shares', 'Shares', '{{ value_json.shares_found }}', { state_class: 'total_increasing', icon: 'mdi:check-decagram' }),
    difficulty: sensor('difficulty', 'Share difficulty', '{{ value_json.difficulty }}', { state_class: 'measurement', entity_category: 'diagnostic' }),
    pool_accepted: sensor('pool_accepted', 'Pool shares accepted', '{{ value_json.pool_accepted }}', { state_class: 'total_increasing' }),
  });
}

export interface HaCoordinator {
  /** mqtt.base_topic */
  base: string;
  /** discovery.prefix */
  prefix: string;
  /** economics.currency: the unit of the money sensors. */
  currency: string;
  version: string;
}

/**
 * The coordinator as a Home Assistant device whose sensors read the retained
 * `<base>/coordinator/economics` message and the treasury signal; available
 * while `<base>/coordinator/status` says online. Its object id is
 * `coordinator`, the coordinator's broker account (deploy/mosquitto/hashling.acl
 * lets each account write `<prefix>/device/<account>/config`), a reserved
 * device id, so no agent can collide with it.
 */
export function buildCoordinatorHaDiscovery(c: HaCoordinator): DiscoveryMessage {
  const id = COORDINATOR_ID;
  const uid = (name: string) => `hashling_${id}_${name}`;
  const state = economicsTopic(c.base);
  const sensor = (key: string, name: string, tpl: string, extra: Record<string, unknown> = {}) =>
    ({ p: 'sensor', name, unique_id: uid(key), state_topic: state, value_template: tpl, ...extra });
  const money = { unit_of_measurement: `${c.currency}/d`, state_class: 'measurement' };
  return {
    topic: haDiscoveryTopic(c.prefix, id),
    payload: {
      dev: { ids: [`hashling_${id}`], name: `hashling coordinator (${c.base})`, mf: 'hashling', mdl: 'coordinator', sw: c.version },
      o: { name: 'hashling', sw: c.version },
      availability: [{ topic: deviceTopic(c.base, id, 'status'), value_template: "{{ 'online' if value_json.state == 'online' else 'offline' }}", payload_available: 'online', payload_not_available: 'offline' }],
      qos: 1,
      cmps: {
        hashrate: sensor('hashrate', 'Fleet hashrate', '{{ value_json.fleet.hashrate_hps }}', { unit_of_measurement: 'H/s', state_class: 'measurement', icon: 'mdi:pickaxe' }),
        energy_per_day: sensor('kwh_per_day', 'Fleet energy per day', '{{ value_json.fleet.kwh_per_day }}', { unit_of_measurement: 'kWh/d', state_class: 'measurement' }),
        cost_per_day: sensor('cost_per_day', 'Energy cost per day', '{{ value_json.fleet.cost_per_day }}', money),
        revenue_per_day: sensor('revenue_per_day', 'Expected revenue per day', '{{ value_json.fleet.revenue_per_day }}', money),
        margin_per_day: sensor('margin_per_day', 'Margin per day', '{{ value_json.fleet.margin_per_day }}', money),
        break_even_price: sensor('break_even_price', 'Break-even coin price', '{{ value_json.fleet.break_even_price }}', { unit_of_measurement: c.currency, state_class: 'measurement' }),
        break_even_tariff: sensor('break_even_tariff', 'Break-even tariff', '{{ value_json.fleet.break_even_tariff }}', { unit_of_measurement: `${c.currency}/kWh`, state_class: 'measurement' }),
        treasury_signal: {
          p: 'sensor', name: 'Treasury signal', unique_id: uid('treasury_signal'), state_topic: treasurySignalTopic(c.base),
          value_template: '{{ value_json.action }}', device_class: 'enum', options: ['hold', 'sell'],
        },
      },
    },
  };
}
