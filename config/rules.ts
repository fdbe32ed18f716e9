// Rules that span keys, or bound a key by the device it runs on. One validator
// for every source: the file, env and flags at load (config/load.ts), and
// config/set and budget/set over MQTT (config/patch.ts). Pure.
import { availableParallelism } from 'node:os';
import type { HashlingConfig } from './schema.ts';
import { TREASURY_PARAM_NAMES, treasuryParamProblems, withDefaults } from './treasury.ts';

/** What the device contributes to the bounds. */
export interface HostFacts {
  cores: number;
}

export function hostFacts(): HostFacts {
  return { cores: availableParallelism() };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Problems of the broker section that no single key shows (also checked by MqttLink before any byte is sent). */
export function brokerProblems(b: HashlingConfig['broker']): string[] {
  const p: string[] = [];
  let url: URL | null = null;
  try {
    url = new URL(b.url);
  } catch {
    return p; // the format check already reported it
  }
  const plain = url.protocol === 'mqtt:' || url.protocol === 'ws:';
  // Credentials in the URL would bypass password_file and the plain-TCP check below.
  if (url.username !== '' || url.password !== '') p.push('broker.url: must not carry credentials; use broker.username and broker.password_file');
  if (plain && b.ca !== '') p.push(`broker.url: broker.ca is set, so the broker must be reached over TLS (mqtts:// or wss://), not ${url.protocol.slice(0, -1)}://`);
  if (plain && (b.password !== '' || b.password_file !== '') && !LOOPBACK.has(url.hostname) && !b.allow_insecure) {
    p.push(`broker.url: refusing to send a password over plain ${url.protocol.slice(0, -1)} to ${url.hostname}; use mqtts:// or set broker.allow_insecure`);
  }
  if ((b.cert === '') !== (b.key === '')) p.push('broker.cert and broker.key: give both (mutual TLS) or neither');
  if (b.reconnect_min_ms > b.reconnect_max_ms) p.push(`broker.reconnect_min_ms (${b.reconnect_min_ms}) must not exceed broker.reconnect_max_ms (${b.reconnect_max_ms})`);
  return p;
}

/** economics.treasury_params must suit economics.treasury_policy: its own parameter names, in range. */
export function economicsProblems(e: HashlingConfig['economics']): string[] {
  const names: readonly string[] = TREASURY_PARAM_NAMES[e.treasury_policy];
  const p = Object.keys(e.treasury_params).filter((k) => !names.includes(k))
    .map((k) => `economics.treasury_params: "${k}" is not a parameter of ${e.treasury_policy} (${names.length > 0 ? `its parameters: ${names.join(', ')}` : 'it takes none'})`);
  p.push(...treasuryParamProblems(e.treasury_policy, withDefaults(e.treasury_policy, e.treasury_params)).map((x) => `economics.treasury_params: ${x}`));
  return p;
}

/** Every cross-key or host-bound problem of a config whose keys are each valid. */
export function crossFieldProblems(c: HashlingConfig, host: HostFacts): string[] {
  const p: string[] = [];
  if (c.budget.temp_cutoff_c <= c.budget.temp_target_c) {
    p.push(`budget.temp_cutoff_c (${c.budget.temp_cutoff_c}) must be above budget.temp_target_c (${c.budget.temp_target_c})`);
  }
  if (c.hashing.threads > host.cores) {
    p.push(`hashing.threads (${c.hashing.threads}) must not exceed the ${host.cores} cores of this device (each thread hashes on a core of its own)`);
  }
  p.push(...brokerProblems(c.broker));
  if (c.coordinator.pool_reconnect_min_ms > c.coordinator.pool_reconnect_max_ms) {
    p.push(`coordinator.pool_reconnect_min_ms (${c.coordinator.pool_reconnect_min_ms}) must not exceed coordinator.pool_reconnect_max_ms (${c.coordinator.pool_reconnect_max_ms})`);
  }
  // One without the other would silently serve plain TCP where TLS was meant.
  if ((c.coordinator.stratum_tls_cert === '') !== (c.coordinator.stratum_tls_key === '')) {
    p.push('coordinator.stratum_tls_cert and coordinator.stratum_tls_key: give both (stratum+ssl endpoint) or neither');
  }
  p.push(...economicsProblems(c.economics));
  return p;
}
