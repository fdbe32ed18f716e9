// Section `coordinator`: the pool-side component (`hashling coordinator`).
import convict from 'convict';
import type { SectionSpec } from './schema.ts';

function poolList(val: unknown): void {
  if (!Array.isArray(val)) throw new Error('must be a list of pool URLs');
  for (const p of val) {
    if (typeof p !== 'string' || !/^stratum\+(tcp|ssl|tls):\/\/[^/\s]+:\d+\/?$/.test(p)) {
      throw new Error(`"${String(p)}" is not stratum+tcp://host:port or stratum+ssl://host:port`);
    }
  }
}

// Registered here, beside the only key that uses it, so the env form
// (comma-separated) is coerced to a list before validation.
convict.addFormat({
  name: 'pool-list',
  validate: poolList,
  coerce: (val: unknown) => (typeof val === 'string' ? val.split(',').map((s) => s.trim()).filter((s) => s !== '') : val),
});

export const coordinator: SectionSpec = {
  source: { doc: 'Upstream of jobs: "stratum" (the pools below) or "demo" (synthetic sha256d jobs, no pool).', format: ['stratum', 'demo'], default: 'stratum', arg: 'source', restart: true },
  pools: {
    doc: 'Stratum V1 pools in failover order (comma-separated in env; --pool repeatable). The first one that answers is used; the coordinator returns to an earlier one when it is back.',
    format: 'pool-list', default: [], arg: 'pools', restart: true,
  },
  pool_user: { doc: 'Worker name for mining.authorize (usually address.worker).', format: String, default: '', arg: 'pool-user', restart: true },
  pool_password: { doc: 'Password for mining.authorize (prefer pool_password_file).', format: String, default: 'x', sensitive: true, arg: 'pool-password', restart: true },
  pool_password_file: { doc: 'File whose first line is the pool password; wins over pool_password.', format: 'optional-path', default: '', restart: true },
  pool_ca: { doc: 'PEM CA file trusted for stratum+ssl pools (default: the system CAs).', format: 'optional-path', default: '', restart: true },
  pool_retry_primary_s: { doc: 'While on a backup pool, seconds between attempts to return to an earlier one.', format: 'positive-number', default: 30 },
  pool_reconnect_min_ms: { doc: 'First delay after every pool failed; doubles per round with ±50 % jitter.', format: 'positive-int', default: 1000 },
  pool_reconnect_max_ms: { doc: 'Upper bound of that delay.', format: 'positive-int', default: 60000 },
  unit_seconds: { doc: 'Seconds of work per unit at the device\'s hashrate (sets nonce_end).', format: 'positive-number', default: 30 },
  share_interval_s: { doc: 'Vardiff: aim for one verified share per device per this many seconds.', format: 'positive-number', default: 20 },
  initial_hashrate_hps: { doc: 'H/s assumed for a device before its benchmark or verified shares are known.', format: 'positive-number', default: 100000 },
  stats_interval_s: { doc: 'Seconds between <base>/coordinator/stats messages.', format: 'positive-number', default: 10 },
  signing_key_file: { doc: 'File with the Ed25519 secret key (base64) from `hashling keygen`; every unit is signed when set.', format: 'optional-path', default: '', restart: true },
  demo_difficulty: { doc: 'Demo source: pool difficulty of its synthetic jobs.', format: 'positive-number', default: 0.0005 },
  demo_job_interval_s: { doc: 'Demo source: seconds between synthetic clean jobs.', format: 'positive-number', default: 60 },
};

/** The typed `coordinator` section as loadConfig returns it. */
export interface CoordinatorSection {
  source: 'stratum' | 'demo';
  pools: string[];
  pool_user: string;
  pool_password: string;
  pool_password_file: string;
  pool_ca: string;
  pool_retry_primary_s: number;
  pool_reconnect_min_ms: number;
  pool_reconnect_max_ms: number;
  unit_seconds: number;
  share_interval_s: number;
  initial_hashrate_hps: number;
  stats_interval_s: number;
  signing_key_file: string;
  demo_difficulty: number;
  demo_job_interval_s: number;
}
