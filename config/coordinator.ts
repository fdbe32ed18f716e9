// Section `coordinator`: the pool-side component (`hashling coordinator`).
import { numberIn, intIn, oneOf, poolList, readableFile, str } from './formats.ts';
import { key } from './spec.ts';

const seconds = numberIn(0, 86_400, true);

export const coordinator = {
  source: key({ doc: 'Upstream of jobs: "stratum" (the pools below) or "demo" (synthetic sha256d jobs, no pool).', format: oneOf(['stratum', 'demo']), default: 'stratum', arg: 'source', restart: true }),
  pools: key<string[]>({
    doc: 'Stratum V1 pools in failover order (comma-separated in env; --pool repeatable). The first one that answers is used; the coordinator returns to an earlier one when it is back.',
    format: poolList, default: [], arg: 'pools', restart: true,
  }),
  pool_user: key({ doc: 'Worker name for mining.authorize (usually address.worker).', format: str, default: '', arg: 'pool-user', restart: true }),
  pool_password: key({ doc: 'Password for mining.authorize (prefer pool_password_file).', format: str, default: 'x', sensitive: true, arg: 'pool-password', restart: true }),
  pool_password_file: key({ doc: 'File whose first line is the pool password; wins over pool_password.', format: readableFile, default: '', restart: true }),
  pool_ca: key({ doc: 'PEM CA file trusted for stratum+ssl pools (default: the system CAs).', format: readableFile, default: '', restart: true }),
  pool_retry_primary_s: key({ doc: 'While on a backup pool, seconds between attempts to return to an earlier one.', format: seconds, default: 30 }),
  pool_reconnect_min_ms: key({ doc: 'First delay after every pool failed; doubles per round with ±50 % jitter.', format: intIn(10, 600_000), default: 1000 }),
  pool_reconnect_max_ms: key({ doc: 'Upper bound of that delay.', format: intIn(10, 3_600_000), default: 60000 }),
  unit_seconds: key({ doc: 'Seconds of work per unit at the device\'s hashrate (sets nonce_end).', format: seconds, default: 30 }),
  share_interval_s: key({ doc: 'Vardiff: aim for one verified share per device per this many seconds.', format: seconds, default: 20 }),
  initial_hashrate_hps: key({ doc: 'H/s assumed for a device before its benchmark or verified shares are known.', format: numberIn(0, 1e18, true), default: 100000 }),
  stats_interval_s: key({ doc: 'Seconds between <base>/coordinator/stats messages.', format: seconds, default: 10 }),
  signing_key_file: key({ doc: 'File with the Ed25519 secret key (base64) from `hashling keygen`; every unit is signed when set.', format: readableFile, default: '', restart: true }),
  demo_difficulty: key({ doc: 'Demo source: pool difficulty of its synthetic jobs.', format: numberIn(0, 1e15, true), default: 0.0005 }),
  demo_job_interval_s: key({ doc: 'Demo source: seconds between synthetic clean jobs.', format: seconds, default: 60 }),
};
