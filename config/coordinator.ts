// Section `coordinator`: the pool-side component (`hashling coordinator`).
import { bool, deviceIdList, intIn, listenAddress, numberIn, oneOf, poolList, readableFile, str, suggestDifficulty } from './formats.ts';
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
  pool_reconnect_min_ms: key({ doc: 'After the fast-retry window: first delay when every pool failed; doubles per round with ±50 % jitter.', format: intIn(10, 600_000), default: 1000 }),
  pool_reconnect_max_ms: key({ doc: 'Upper bound of that delay.', format: intIn(10, 3_600_000), default: 60000 }),
  pool_fast_retry_ms: key({ doc: 'Retry period (±25 %) right after a pool session ended, so a short outage costs little more than itself.', format: intIn(10, 600_000), default: 1000 }),
  pool_fast_retry_for_s: key({ doc: 'How long after a session ended the fast retry period applies before exponential backoff.', format: seconds, default: 60 }),
  algo: key({
    doc: 'Proof of work of the pools\' chain: "sha256d" (Bitcoin) or "scrypt" (Litecoin, Dogecoin; share difficulty 1 = 2^16 × the sha256d difficulty-1 target).',
    format: oneOf(['sha256d', 'scrypt']), default: 'sha256d', arg: 'algo', restart: true,
  }),
  pool_suggest_difficulty: key({
    doc: 'mining.suggest_difficulty to the pool: "auto" (from the fleet\'s verified or benchmarked hashrate, one pool share per pool_share_interval_s), a fixed difficulty, or "off".',
    format: suggestDifficulty, default: 'auto', restart: true,
  }),
  pool_share_interval_s: key({ doc: 'Auto suggestion: aim for one pool share from the whole fleet per this many seconds.', format: seconds, default: 10 }),
  pool_configure: key({ doc: 'Send mining.configure (BIP310 version rolling) first. Turn off for pools that drop a client whose first call is not mining.subscribe (ckpool before 2018).', format: bool, default: true, restart: true }),
  pool_extranonce_subscribe: key({ doc: 'Send mining.extranonce.subscribe (NiceHash) after authorize. Turn off for pools that drop clients sending it.', format: bool, default: true, restart: true }),
  pool_follow_redirect: key({ doc: 'Follow client.reconnect to the host/port the pool names. Off: reconnect to the same configured pool (its wait is honoured either way).', format: bool, default: false, restart: true }),
  stratum_listen: key({
    doc: 'Stratum V1 endpoint for miners that cannot run the agent (cpuminer, Bitaxe, NerdMiner): host:port, or only a port for loopback. Empty: off.',
    format: listenAddress, default: '', arg: 'stratum-listen', restart: true,
  }),
  stratum_tls_cert: key({ doc: 'PEM certificate: the endpoint speaks stratum+ssl (TLS) when this and stratum_tls_key are set.', format: readableFile, default: '', restart: true }),
  stratum_tls_key: key({ doc: 'PEM private key of stratum_tls_cert.', format: readableFile, default: '', restart: true }),
  stratum_workers: key<string[]>({ doc: 'Device ids allowed on the endpoint (the part after the last "." of the worker name); empty: any.', format: deviceIdList, default: [], restart: true }),
  stratum_password: key({ doc: 'Password miners must give in mining.authorize; empty: any (prefer stratum_password_file).', format: str, default: '', sensitive: true, restart: true }),
  stratum_password_file: key({ doc: 'File whose first line is the endpoint password; wins over stratum_password.', format: readableFile, default: '', restart: true }),
  stratum_start_difficulty: key({ doc: 'First share difficulty of an endpoint miner; 0: from initial_hashrate_hps and share_interval_s. Vardiff takes over after a few shares.', format: numberIn(0, 1e15), default: 0 }),
  stratum_max_clients: key({ doc: 'Endpoint connections at once; more are refused.', format: intIn(1, 65_535), default: 256, restart: true }),
  unit_seconds: key({ doc: 'Seconds of work per unit at the device\'s hashrate (sets nonce_end).', format: seconds, default: 30 }),
  share_interval_s: key({ doc: 'Vardiff: aim for one verified share per device per this many seconds.', format: seconds, default: 20 }),
  initial_hashrate_hps: key({ doc: 'H/s assumed for a device before its benchmark or verified shares are known.', format: numberIn(0, 1e18, true), default: 100000 }),
  stats_interval_s: key({ doc: 'Seconds between <base>/coordinator/stats messages.', format: seconds, default: 10 }),
  signing_key_file: key({ doc: 'File with the Ed25519 secret key (base64) from `hashling keygen`; every unit is signed when set.', format: readableFile, default: '', restart: true }),
  demo_difficulty: key({ doc: 'Demo source: pool difficulty of its synthetic jobs.', format: numberIn(0, 1e15, true), default: 0.0005 }),
  demo_job_interval_s: key({ doc: 'Demo source: seconds between synthetic clean jobs.', format: seconds, default: 60 }),
};
