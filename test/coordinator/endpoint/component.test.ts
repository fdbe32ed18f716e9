// The Stratum endpoint as a Component on a fake clock: its timers (miner
// telemetry, the handshake deadline) run on the injected Clock only, presence
// goes out through the protocol builders, and stop() leaves nothing armed.
// Miners are real TCP connections on loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { StratumEndpoint } from '../../../coordinator/endpoint/stratumEndpoint.ts';
import { referenceSha256dAt } from '../../../coordinator/shareHash.ts';
import type { DiscoveryMessage } from '../../../protocol/homeAssistant.ts';
import { FakeClock } from '../../helpers/fakeClock.ts';
import { publicJob } from '../helpers/fixtures.ts';
import { TestMiner } from '../helpers/stratumMiner.ts';

function endpoint(clock: FakeClock) {
  const retained: [string, any][] = [];
  const live: [string, any][] = [];
  const announced: DiscoveryMessage[] = [];
  const log: string[] = [];
  const ep = new StratumEndpoint({
    host: '127.0.0.1', port: 0, algo: 'sha256d', workers: [], password: '', startDifficulty: 1e-4, initialHashrateHps: 1e5,
    shareIntervalS: 10, maxClients: 4, telemetryIntervalMs: 10_000, base: 'hashling', version: '9.9.9',
    discovery: { prefix: 'homeassistant', announce: (m) => announced.push(m) },
    hashAt: referenceSha256dAt, submit: () => Promise.resolve({ status: 'accepted' }), poolTarget: () => null, idInUse: () => null,
    presence: { retained: (t, p) => retained.push([t, JSON.parse(p)]), live: (t, p) => live.push([t, JSON.parse(p)]) },
    log: (l) => log.push(l), clock,
  });
  return { ep, retained, live, announced, log };
}

async function until(pred: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(pred(), what);
}

test('endpoint component: presence through the protocol builders, telemetry on the injected clock, nothing armed after stop', { timeout: 20_000 }, async () => {
  const clock = new FakeClock();
  const { ep, retained, live, announced } = endpoint(clock);
  assert.equal(clock.pending, 0, 'the constructor arms nothing');
  await ep.start();
  ep.onJob(publicJob());
  const miner = new TestMiner({ port: ep.port, user: 'addr.rig-7', userAgent: 'bitaxe/2.1' });
  try {
    assert.equal((await miner.connect()).authorize.result, true);
    await until(() => retained.length >= 2, 'info and status');
    // Info before status, as an agent publishes them; both from protocol/ builders.
    assert.deepEqual(retained.map(([t]) => t), ['hashling/rig-7/info', 'hashling/rig-7/status']);
    assert.equal(retained[0]![1].transport, 'stratum');
    assert.equal(retained[0]![1].model, 'Stratum miner (bitaxe/2.1)');
    assert.deepEqual([retained[1]![1].v, retained[1]![1].state, retained[1]![1].ts], [1, 'online', clock.now()]);
    assert.equal(announced.length, 1);
    assert.equal(announced[0]!.topic, 'homeassistant/device/rig-7/config');
    assert.deepEqual(Object.keys(announced[0]!.payload.cmps as object), ['hashrate', 'shares', 'difficulty', 'pool_accepted']);
    assert.equal((announced[0]!.payload.dev as { sw: string }).sw, '9.9.9');
    // Telemetry waits for the fake clock, however long the wall clock runs.
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(live.length, 0);
    clock.advance(10_000);
    assert.deepEqual(live.map(([t]) => t), ['hashling/rig-7/telemetry']);
    assert.equal(live[0]![1].temp_c, null);
    assert.equal(live[0]![1].uptime_s, 10);
    assert.deepEqual(Object.keys(live[0]![1].hashrate_hps), ['10s', '60s', '15m']);
    clock.advance(10_000);
    assert.equal(live.length, 2);
  } finally {
    await ep.stop();
  }
  // A clean stop: the miner's status reads offline, its connection is closed, no timer is left.
  assert.deepEqual(retained.at(-1), ['hashling/rig-7/status', { v: 1, state: 'offline', ts: clock.now() }]);
  await until(() => miner.closed, 'the miner connection closed');
  assert.equal(clock.pending, 0);
});

test('endpoint component: a connection that never authorizes is closed at the handshake deadline of the injected clock', { timeout: 20_000 }, async () => {
  const clock = new FakeClock();
  const { ep, retained, log } = endpoint(clock);
  await ep.start();
  ep.onJob(publicJob());
  const socket = connect({ host: '127.0.0.1', port: ep.port });
  let closed = false;
  let got = '';
  socket.on('close', () => { closed = true; });
  socket.on('data', (d) => { got += d.toString(); });
  try {
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.write('{"id":1,"method":"mining.subscribe","params":["lurker/1"]}\n');
    await until(() => got.includes('"id":1'), 'the subscribe answer');
    clock.advance(59_999);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(closed, false, 'still inside the deadline');
    clock.advance(1);
    await until(() => closed, 'closed at the deadline');
    assert.deepEqual(retained, [], 'never authorized: never a device');
    assert.ok(!log.some((l) => l.includes('authorized;')), log.join('\n'));
  } finally {
    socket.destroy();
    await ep.stop();
  }
  assert.equal(clock.pending, 0);
});
