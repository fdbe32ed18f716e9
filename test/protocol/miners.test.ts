// The payloads the coordinator writes for Stratum miners and for halting work,
// and the per-algorithm benchmark read from an agent's info.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildHaDiscovery, buildMinerHaDiscovery } from '../../protocol/homeAssistant.ts';
import { isStratumMinerInfo, minerInfoPayload, minerTelemetryPayload } from '../../protocol/miners.ts';
import { benchmarkFromInfo } from '../../protocol/payloads.ts';
import { haltUnitObject, parseWorkPayload } from '../../protocol/workUnit.ts';

test('a halt unit is an ordinary clean work unit with one nonce and a target no hash meets', () => {
  const r = parseWorkPayload(Buffer.from(JSON.stringify([haltUnitObject('p-halt-1', 'p-halt', 'sha256d', 5_000)])));
  assert.deepEqual(r.errors, []);
  const u = r.units[0] as { clean: boolean; nonce_start: number; nonce_end: number; target: string; expires_at: number; algo: string };
  assert.deepEqual([u.clean, u.nonce_start, u.nonce_end, u.target, u.expires_at, u.algo], [true, 0, 0, '0'.repeat(64), 5_000, 'sha256d']);
});

test('benchmark per algorithm: a bare number is the sha256d figure only', () => {
  assert.equal(benchmarkFromInfo({ benchmark_hps: 5e6 }, 'sha256d'), 5e6);
  assert.equal(benchmarkFromInfo({ benchmark_hps: 5e6 }, 'scrypt'), null, 'a sha256d figure must not size scrypt units');
  assert.equal(benchmarkFromInfo({ benchmark_hps: { sha256d: 5e6, scrypt: 4e3 } }, 'scrypt'), 4e3);
  assert.equal(benchmarkFromInfo({ benchmark_hps: { scrypt: -1 }, hashrate_hps: { scrypt: 3e3 } }, 'scrypt'), 3e3);
  assert.equal(benchmarkFromInfo({ benchmark_hps: { sha256d: 'fast' } }, 'sha256d'), null);
});

test('miner info and telemetry: the agent topics\' shapes, marked as a Stratum miner', () => {
  const info = JSON.parse(minerInfoPayload({ userAgent: 'cpuminer/2.5.1', worker: 'addr.rig', algo: 'sha256d', coordinatorVersion: '1.2.3', remote: '127.0.0.1' }, 7));
  assert.deepEqual(info, {
    v: 1, version: 'cpuminer/2.5.1', model: 'Stratum miner (cpuminer/2.5.1)', transport: 'stratum', worker: 'addr.rig', user_agent: 'cpuminer/2.5.1',
    remote: '127.0.0.1', algorithms: ['sha256d'], coordinator_version: '1.2.3', ts: 7,
  });
  assert.equal(isStratumMinerInfo(info), true);
  assert.equal(isStratumMinerInfo({ v: 1, version: '0.1.0', benchmark_hps: {} }), false, 'an agent\'s info');
  assert.equal(JSON.parse(minerInfoPayload({ userAgent: null, worker: 'w', algo: 'scrypt', coordinatorVersion: '1', remote: null }, 1)).model, 'Stratum miner');
  const tel = JSON.parse(minerTelemetryPayload({
    hashrate_hps: { '10s': 1, '60s': 2, '15m': 3 }, shares_found: 4, shares_rejected: 1, rejected: { stale: 1 }, difficulty: 0.5, pool_submitted: 2, pool_accepted: 2, uptime_s: 60,
  }, 9));
  assert.deepEqual([tel.v, tel.temp_c, tel.ts, tel.hashrate_hps['60s'], tel.shares_found], [1, null, 9, 2, 4]);
});

test('miner discovery shares the agent\'s device root and availability but has sensors only', () => {
  const dev = { base: 'hashling', id: 'rig', prefix: 'homeassistant', version: '1.2.3', model: 'Stratum miner' };
  const miner = buildMinerHaDiscovery(dev);
  const agent = buildHaDiscovery(dev);
  assert.equal(miner.topic, 'homeassistant/device/rig/config');
  for (const k of ['dev', 'o', 'availability', 'qos']) assert.deepEqual(miner.payload[k], agent.payload[k], k);
  const cmps = Object.values(miner.payload.cmps as Record<string, { p: string; unique_id: string; state_topic: string }>);
  assert.ok(cmps.every((c) => c.p === 'sensor' && c.state_topic === 'hashling/rig/telemetry' && c.unique_id.startsWith('hashling_rig_')));
});
