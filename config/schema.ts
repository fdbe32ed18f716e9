// The one configuration schema: validation, defaults, env vars, CLI flags, the
// README's config table and `hashling config schema` all come from here.
// Sections owned by other components live in their own file and are merged below.
import { availableParallelism } from 'node:os';
import { defaultDeviceId } from './formats.ts';
import { budget } from './budget.ts';
import { sensors } from './sensors.ts';
import { coordinator } from './coordinator.ts';
import { work } from './work.ts';
import { health } from './health.ts';
import { commands, configSection, discovery } from './commands.ts';

export interface KeySpec {
  doc: string;
  format: unknown;
  default: unknown;
  /** CLI flag (without --) that sets this key; flags win over env and file. */
  arg?: string;
  sensitive?: boolean;
  /** True when a change needs a process restart (reported by config/set). */
  restart?: boolean;
  nullable?: boolean;
  env?: string;
}
export type SectionSpec = Record<string, KeySpec>;

const device: SectionSpec = {
  id: {
    doc: 'Device id, used as the topic level <id>. Default: the hostname, sanitized. Reserved: all, group, coordinator.',
    format: 'device-id', default: defaultDeviceId(), arg: 'device-id', restart: true,
  },
  groups: {
    doc: 'Groups this device belongs to (comma-separated in env); it answers <base>/group/<g>/cmd/#.',
    format: 'group-list', default: [], restart: true,
  },
};

const broker: SectionSpec = {
  url: { doc: 'Broker URL: mqtt://, mqtts://, ws:// or wss://.', format: 'broker-url', default: 'mqtt://127.0.0.1:1883', arg: 'broker', restart: true },
  username: { doc: 'Username for the broker.', format: String, default: '', restart: true },
  password: { doc: 'Password for the broker (prefer password_file).', format: String, default: '', sensitive: true, restart: true },
  password_file: { doc: 'File whose first line is the broker password; wins over password.', format: 'optional-path', default: '', restart: true },
  ca: { doc: 'PEM file of the CA that signed the broker certificate (pinning).', format: 'optional-path', default: '', restart: true },
  cert: { doc: 'PEM client certificate for mutual TLS.', format: 'optional-path', default: '', restart: true },
  key: { doc: 'PEM private key of the client certificate.', format: 'optional-path', default: '', restart: true },
  keepalive_s: { doc: 'MQTT keepalive in seconds.', format: 'positive-int', default: 30, restart: true },
  protocol_version: { doc: 'MQTT protocol version: 5 (MQTT 5.0) or 4 (MQTT 3.1.1).', format: [4, 5], default: 5, restart: true },
  reconnect_min_ms: { doc: 'First reconnect delay; doubles per failed attempt, with ±50 % jitter.', format: 'positive-int', default: 1000 },
  reconnect_max_ms: { doc: 'Upper bound of the reconnect delay.', format: 'positive-int', default: 60000 },
  outbox_size: { doc: 'Shares and results kept while disconnected; oldest dropped (and counted) beyond this.', format: 'positive-int', default: 10000 },
  allow_insecure: { doc: 'Allow sending a password over plain TCP to a non-loopback broker.', format: Boolean, default: false, restart: true },
};

const mqtt: SectionSpec = {
  base_topic: { doc: 'Base topic <base> of every hashling topic.', format: 'topic-base', default: 'hashling', restart: true },
};

const hashing: SectionSpec = {
  threads: { doc: 'Hashing worker threads. Default: all cores.', format: 'positive-int', default: availableParallelism(), arg: 'threads' },
  queue_size: { doc: 'Work units queued beyond the running one; overflow is reported as E_QUEUE_FULL.', format: 'positive-int', default: 8 },
  batch_ms: { doc: 'Target duration of one worker batch; bounds cancel latency (clean units take effect within ~4 batches).', format: 'positive-int', default: 20 },
};

const telemetry: SectionSpec = {
  interval_s: { doc: 'Seconds between telemetry messages.', format: 'positive-number', default: 10 },
};

const demo: SectionSpec = {
  port: { doc: 'Port of the embedded broker of `hashling demo` (1884, beside the standard 1883, so a system broker does not collide).', format: 'port', default: 1884, arg: 'port' },
  share_interval_s: { doc: 'Demo share target: about one share per this many seconds at the measured hashrate.', format: 'positive-number', default: 3 },
};

/** Every section, in the order the README lists them. Components add theirs here. */
export const SECTIONS: Record<string, SectionSpec> = { device, broker, mqtt, hashing, telemetry, demo, budget, sensors, work, coordinator, commands, config: configSection, discovery, health };

/** HASHLING_<SECTION>_<KEY>, the env var of a key. */
export function envName(section: string, key: string): string {
  return `HASHLING_${section}_${key}`.toUpperCase();
}

/** The convict schema object built from SECTIONS (adds env names, strips hashling-only fields). */
export function buildConvictSchema(): Record<string, Record<string, object>> {
  const out: Record<string, Record<string, object>> = {};
  for (const [section, keys] of Object.entries(SECTIONS)) {
    out[section] = {};
    for (const [key, spec] of Object.entries(keys)) {
      const { restart: _restart, ...convictSpec } = spec;
      out[section][key] = { ...convictSpec, env: spec.env ?? envName(section, key) };
    }
  }
  return out;
}
