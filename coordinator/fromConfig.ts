// Builds a Coordinator from the effective config: the upstream source named by
// coordinator.source, the pool password file, and the signing key file; and the
// economics component that runs beside it. The CLI and the embedded demo both
// start the coordinator through here.
import { readFileSync } from 'node:fs';
import { firstLine } from '../config/load.ts';
import type { HashlingConfig } from '../config/schema.ts';
import { systemClock } from '../lifecycle/clock.ts';
import { HashlingError } from '../protocol/errors.ts';
import { decodeBase64 } from '../protocol/signing.ts';
import { Coordinator, type ShareVerdictEvent } from './coordinator.ts';
import { DemoSource } from './demoSource.ts';
import { EconomicsComponent, type EconomicsDeps } from './economics.ts';
import type { JobSource } from './source.ts';
import { StratumPoolSet } from './stratum/poolSet.ts';
import { parsePoolUrl } from './stratum/url.ts';

export function sourceFromConfig(config: HashlingConfig): JobSource {
  const c = config.coordinator;
  if (c.source === 'demo') {
    return new DemoSource({ difficulty: c.demo_difficulty, jobIntervalMs: c.demo_job_interval_s * 1000 });
  }
  if (c.pools.length === 0) throw new HashlingError('E_CONFIG', 'coordinator.pools is empty: give --pool stratum+tcp://host:port (or --source demo)');
  if (c.pool_user === '') throw new HashlingError('E_CONFIG', 'coordinator.pool_user is empty: give --pool-user (usually address.worker)');
  for (const p of c.pools) parsePoolUrl(p);
  const password = c.pool_password_file ? firstLine(c.pool_password_file).trim() : c.pool_password;
  const sd = c.pool_suggest_difficulty;
  return new StratumPoolSet({
    pools: [...c.pools], user: c.pool_user, password, algo: c.algo,
    backoff: { minMs: c.pool_reconnect_min_ms, maxMs: c.pool_reconnect_max_ms, fastMs: c.pool_fast_retry_ms, fastForMs: c.pool_fast_retry_for_s * 1000 },
    primaryRetryMs: c.pool_retry_primary_s * 1000,
    suggest: sd === 'auto' ? { mode: 'auto' } : sd === 'off' ? { mode: 'off' } : { mode: 'fixed', value: sd },
    followRedirect: c.pool_follow_redirect,
    connection: {
      configure: c.pool_configure, extranonceSubscribe: c.pool_extranonce_subscribe,
      ...(c.pool_ca ? { tlsCa: readFileSync(c.pool_ca) } : {}),
    },
  });
}

/** The secret key in coordinator.signing_key_file, or null when unset. */
export function signingKeyFromConfig(config: HashlingConfig): Uint8Array | null {
  const c = config.coordinator;
  if (!c.signing_key_file) return null;
  const key = decodeBase64(firstLine(c.signing_key_file).trim());
  if (!key || key.length !== 32) throw new HashlingError('E_CONFIG', `coordinator.signing_key_file ${c.signing_key_file} does not hold a base64 Ed25519 secret key (see hashling keygen)`);
  return key;
}

export interface CreateOptions {
  log?: (line: string) => void;
  /** Overrides the configured source (the demo passes its own DemoSource). */
  source?: JobSource;
  /** Observation hook per share verdict (bench/fleet.ts); see CoordinatorDeps. */
  onShareVerdict?: (e: ShareVerdictEvent) => void;
  /** The hashling version the Stratum endpoint announces for its miners. */
  version?: string;
}

/** Throws E_CONFIG before anything starts when the config cannot work. */
export function createCoordinator(config: HashlingConfig, opts: CreateOptions = {}): Coordinator {
  return new Coordinator({
    settings: config.coordinator, broker: config.broker, base: config.mqtt.base_topic,
    source: opts.source ?? sourceFromConfig(config), signingKey: signingKeyFromConfig(config), log: opts.log, onShareVerdict: opts.onShareVerdict,
    discovery: config.discovery, telemetryIntervalS: config.telemetry.interval_s, version: opts.version,
  });
}

/**
 * The economics component beside a coordinator: start it after the coordinator
 * (startAll order), whose broker link it shares.
 */
export function createEconomics(config: HashlingConfig, coordinator: Coordinator, opts: Pick<EconomicsDeps, 'version' | 'log' | 'clock' | 'localTime'>): EconomicsComponent {
  const clock = opts.clock ?? systemClock;
  return new EconomicsComponent({
    settings: config.economics, discovery: config.discovery, base: config.mqtt.base_topic,
    link: () => coordinator.sessionLink,
    devices: () => coordinator.fleetView?.deviceStats(clock.now()) ?? [],
    job: () => coordinator.fleetView?.currentJob ?? null,
    ...opts,
  });
}
