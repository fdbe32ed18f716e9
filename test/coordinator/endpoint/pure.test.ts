import { test } from 'node:test';
import assert from 'node:assert/strict';
import { workerDeviceId, checkAuthorize } from '../../../coordinator/endpoint/workerId.ts';
import { retarget } from '../../../coordinator/endpoint/minerVardiff.ts';
import { PrefixPool, prefixBytes } from '../../../coordinator/endpoint/minerWork.ts';
import { retryDelay } from '../../../coordinator/stratum/retry.ts';
import { parseListenAddress } from '../../../config/formats.ts';

test('worker names map to device ids: the part after the last dot, sanitized; the whole name without a dot', () => {
  assert.equal(workerDeviceId('bc1qexample.worker1'), 'worker1');
  assert.equal(workerDeviceId('addr.rig.two'), 'two');
  assert.equal(workerDeviceId('nerdminer'), 'nerdminer');
  assert.equal(workerDeviceId('addr.bit axe/1'), 'bit-axe-1');
  assert.equal(workerDeviceId('addr.coordinator'), 'device-coordinator', 'reserved ids are never taken');
  assert.equal(workerDeviceId('addr.'), 'addr-');
});

test('authorize checks the password and the allow-list', () => {
  assert.equal(checkAuthorize({ workers: [], password: '' }, 'any', undefined), null);
  assert.match(String(checkAuthorize({ workers: [], password: 'pw' }, 'a', 'px')), /password/);
  assert.equal(checkAuthorize({ workers: ['a'], password: 'pw' }, 'a', 'pw'), null);
  assert.match(String(checkAuthorize({ workers: ['a'], password: '' }, 'b', 'x')), /not allowed/);
});

test('miner vardiff: retargets after 6 shares toward one share per interval, within the miner floor and the pool ceiling', () => {
  const lim = { intervalS: 10, algo: 'sha256d' as const, min: 1e-6, max: 1 };
  // 6 shares at difficulty 0.001 in 1 s: ~25.8 M H/s → 0.06 for one share per 10 s.
  const next = retarget(0.001, { since: 0, shares: 6, work: 6 * 0.001 * 2 ** 32 }, 1000, lim)!;
  assert.ok(Math.abs(next - 0.06) < 1e-9, String(next));
  // Never above the pool's difficulty.
  assert.equal(retarget(0.001, { since: 0, shares: 60, work: 60 * 0.001 * 2 ** 32 }, 1000, { ...lim, max: 0.01 }), 0.01);
  // Silence for 4 intervals lowers it.
  assert.ok(retarget(0.1, { since: 0, shares: 0, work: 0 }, 40_000, lim)! < 0.1);
  // Small changes are ignored; between retargets nothing changes.
  assert.equal(retarget(0.06, { since: 0, shares: 6, work: 6 * 0.06 * 2 ** 32 }, 60_000, lim), null);
  assert.equal(retarget(0.06, { since: 0, shares: 2, work: 1 }, 1000, lim), null);
  // A floor from the miner's suggestion holds.
  assert.equal(retarget(0.5, { since: 0, shares: 0, work: 0 }, 40_000, { ...lim, min: 0.5 }), null);
});

test('miner prefixes: first byte ≥ 0x80, unique while in use, handed out round robin', () => {
  assert.equal(prefixBytes(4), 2);
  assert.equal(prefixBytes(8), 2);
  assert.equal(prefixBytes(3), 1);
  const pool = new PrefixPool();
  const a = pool.take(2)!;
  const b = pool.take(2)!;
  assert.deepEqual([a, b], ['8000', '8001']);
  pool.release(a);
  assert.equal(pool.take(2), '8002', 'a released prefix comes back only after the others');
  const one = new PrefixPool();
  const got = new Set<string>();
  for (let i = 0; i < 128; i++) got.add(one.take(1)!);
  assert.equal(got.size, 128);
  assert.ok([...got].every((h) => parseInt(h, 16) >= 0x80));
  assert.equal(one.take(1), null, 'full');
});

test('retries: fast and fixed right after a healthy session, exponential later', () => {
  const p = { fastMs: 1000, fastForMs: 60_000, minMs: 1000, maxMs: 60_000 };
  for (const r of [0, 0.5, 0.999]) {
    const d = retryDelay(p, 5000, 0, r);
    assert.ok(d >= 750 && d <= 1250, String(d));
  }
  // 20 s of outage costs at most ~21.25 s: no round waits more than 1.25 s.
  assert.equal(retryDelay(p, null, 0, 0.5), 1000);
  assert.equal(retryDelay(p, 120_000, 3, 0.5), 8000);
  assert.equal(retryDelay(p, 120_000, 10, 0.5), 60_000);
});

test('stratum_listen: host:port, [v6]:port, :port or port (loopback), empty = off', () => {
  assert.equal(parseListenAddress(''), null);
  assert.deepEqual(parseListenAddress('3333'), { host: '127.0.0.1', port: 3333 });
  assert.deepEqual(parseListenAddress(':3333'), { host: '127.0.0.1', port: 3333 });
  assert.deepEqual(parseListenAddress('0.0.0.0:3333'), { host: '0.0.0.0', port: 3333 });
  assert.deepEqual(parseListenAddress('[::1]:3333'), { host: '::1', port: 3333 });
  assert.throws(() => parseListenAddress('host:99999'));
  assert.throws(() => parseListenAddress('stratum+tcp://x:1'));
});

test('config: the new coordinator keys load from env and flags with their documented names and reject junk', async () => {
  const { loadConfig } = await import('../../../config/load.ts');
  const c = loadConfig({ argv: [], env: {
    HASHLING_COORDINATOR_STRATUM_LISTEN: '3333', HASHLING_COORDINATOR_POOL_SUGGEST_DIFFICULTY: '0.5',
    HASHLING_COORDINATOR_ALGO: 'scrypt', HASHLING_COORDINATOR_STRATUM_WORKERS: 'rig-1, rig-2', HASHLING_COORDINATOR_POOL_CONFIGURE: 'false',
  } }).coordinator;
  assert.deepEqual([c.stratum_listen, c.pool_suggest_difficulty, c.algo, c.stratum_workers, c.pool_configure], ['3333', 0.5, 'scrypt', ['rig-1', 'rig-2'], false]);
  const d = loadConfig({ argv: [], env: {} }).coordinator;
  assert.deepEqual([d.stratum_listen, d.pool_suggest_difficulty, d.pool_follow_redirect], ['', 'auto', false]);
  assert.equal(loadConfig({ argv: [], env: { HASHLING_COORDINATOR_POOL_SUGGEST_DIFFICULTY: 'off' } }).coordinator.pool_suggest_difficulty, 'off');
  assert.equal(loadConfig({ argv: ['--stratum-listen', '0.0.0.0:3334', '--algo', 'scrypt'], env: {} }).coordinator.stratum_listen, '0.0.0.0:3334');
  assert.throws(() => loadConfig({ argv: [], env: { HASHLING_COORDINATOR_POOL_SUGGEST_DIFFICULTY: 'lots' } }), /pool_suggest_difficulty/);
  assert.throws(() => loadConfig({ argv: [], env: { HASHLING_COORDINATOR_POOL_SUGGEST_DIFFICULTY: '-1' } }), /pool_suggest_difficulty/);
  assert.throws(() => loadConfig({ argv: [], env: { HASHLING_COORDINATOR_STRATUM_LISTEN: 'nope:port' } }), /stratum_listen/);
  assert.throws(() => loadConfig({ argv: [], env: { HASHLING_COORDINATOR_STRATUM_WORKERS: 'ok,coordinator' } }), /stratum_workers/);
  assert.throws(() => loadConfig({ argv: [], env: { HASHLING_COORDINATOR_POOL_CONFIGURE: 'maybe' } }), /pool_configure/);
  // A certificate without its key would silently serve plain TCP: refused at load.
  assert.throws(() => loadConfig({ argv: [], env: { HASHLING_COORDINATOR_STRATUM_TLS_CERT: new URL(import.meta.url).pathname } }), /stratum_tls_cert and coordinator.stratum_tls_key/);
});
