import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FleetView, fleetTable, formatAge, formatRate, retainedTopicsOf } from '../../fleet/view.ts';
import { expectedResponders, summarize } from '../../fleet/request.ts';
import { commandTopic, economicsTopic, parseTarget, topicMatches } from '../../protocol/topics.ts';

function fleet(): FleetView {
  const v = new FleetView('h');
  const retained = (topic: string, body: object) => v.ingest(topic, JSON.stringify(body), 99_999, true);
  retained('h/a/status', { v: 1, state: 'online', ts: 900 });
  retained('h/a/info', { v: 1, version: '0.1.0', groups: ['g1'], ts: 900 });
  retained('h/a/state', { v: 1, mode: 'hashing', ts: 950 });
  v.ingest('h/a/telemetry', JSON.stringify({ v: 1, hashrate_hps: { '10s': 2_500_000 }, temp_c: 55.25, power_w: 3.1, shares_found: 7, ts: 4000 }), 5000);
  retained('h/b/status', { v: 1, state: 'lost', ts: 100 });
  retained('h/b/info', { v: 1, version: '0.0.9', groups: ['g1', 'g2'], ts: 50 });
  retained('h/coordinator/status', { v: 1, state: 'online' });
  v.ingest('h/c/status', 'not json', 1);
  return v;
}

test('the view tables each device from retained topics and telemetry', () => {
  const rows = fleet().rows();
  assert.deepEqual(rows.map((r) => [r.id, r.state, r.hashrate_hps, r.shares, r.version, r.last_seen_ms]),
    [['a', 'hashing', 2_500_000, 7, '0.1.0', 5000], ['b', 'lost', null, null, '0.0.9', 100]]);
  const table = fleetTable(rows, 65_000);
  assert.match(table, /^DEVICE\s+STATE\s+HASHRATE\s+TEMP\s+POWER\s+SHARES\s+LAST SEEN\s+VERSION/);
  assert.match(table, /a\s+hashing\s+2\.50 MH\/s\s+55\.3 °C\s+3\.10 W\s+7\s+1m ago\s+0\.1\.0/);
  assert.match(table, /2 devices, 1 online, 2\.50 MH\/s total/);
});

test('last seen is the latest message of any kind: a live event counts, a retained one stands for its own ts', () => {
  const v = fleet();
  v.ingest('h/b/results', JSON.stringify({ v: 1, unit_id: 'u', ts: 1 }), 7000);
  const b = v.rows().find((r) => r.id === 'b')!;
  assert.equal(b.last_seen_ms, 7000);
  assert.equal(b.hashrate_hps, null, 'a device that is not online shows no hashrate');
  v.ingest('h/a/shares', JSON.stringify({ v: 1, ts: 1 }), 9000);
  assert.equal(v.rows().find((r) => r.id === 'a')!.last_seen_ms, 9000);
  v.ingest('h/c/work', '[]', 9999);
  assert.ok(!v.rows().some((r) => r.id === 'c'), 'work sent to a device is not a sign of its life');
});

test('an empty retained status clears a device from the view (fleet forget)', () => {
  const v = fleet();
  v.ingest('h/b/status', '', 10_000, true);
  assert.deepEqual(v.rows().map((r) => r.id), ['a']);
  assert.deepEqual(retainedTopicsOf('h', 'b', 'homeassistant'), ['h/b/status', 'h/b/info', 'h/b/state', 'homeassistant/device/b/config']);
});

test('rates and ages read like a dashboard', () => {
  assert.deepEqual([formatRate(null), formatRate(950), formatRate(12_345), formatRate(3e9)], ['-', '950 H/s', '12.3 kH/s', '3.00 GH/s']);
  assert.deepEqual([formatAge(0, 30_000), formatAge(0, 7_200_000), formatAge(null, 0)], ['30s ago', '2h ago', '-']);
});

test('targets map to command topics', () => {
  assert.equal(commandTopic('h', parseTarget('pi-1'), 'pause'), 'h/pi-1/cmd/pause');
  assert.equal(commandTopic('h', parseTarget('group:g1'), 'budget/set'), 'h/group/g1/cmd/budget/set');
  assert.equal(commandTopic('h', parseTarget('all'), 'ping'), 'h/all/cmd/ping');
  for (const bad of ['group:', 'a/b', 'group', 'coordinator', '']) assert.throws(() => parseTarget(bad), bad);
});

test('expected responders are the online members; offline ones are listed apart', () => {
  const rows = fleet().rows();
  assert.deepEqual(expectedResponders(parseTarget('group:g1'), rows), { expected: ['a'], offline: ['b'] });
  assert.deepEqual(expectedResponders(parseTarget('all'), rows), { expected: ['a'], offline: ['b'] });
  assert.deepEqual(expectedResponders(parseTarget('zz'), rows), { expected: ['zz'], offline: [] });
});

test('the outcome names who did not answer and sets the exit code', () => {
  const ok = summarize(['a', 'b'], [], new Map([['a', { status: 'ok' as const, data: { pong: true } }], ['b', { status: 'ok' as const, data: {} }]]));
  assert.equal(ok.exitCode, 0);
  const err = summarize(['a'], [], new Map([['a', { status: 'error' as const, data: {}, error: { code: 'E_BAD_COMMAND', message: 'no' } }]]));
  assert.equal(err.exitCode, 1);
  assert.match(err.table, /error E_BAD_COMMAND\s+no/);
  const missing = summarize(['a', 'b'], ['c'], new Map([['a', { status: 'ok' as const, data: {} }]]));
  assert.equal(missing.exitCode, 2);
  assert.match(missing.table, /b\s+NO ANSWER/);
  assert.match(missing.table, /offline \(not asked\): c/);
  assert.match(missing.table, /no answer from 1: b/);
});

test('revenue and energy cost per day come from the coordinator\'s economics message; unknown shows as -', () => {
  const v = fleet();
  v.ingest('h/coordinator/economics', JSON.stringify({
    v: 1, currency: 'EUR', fleet: { revenue_per_day: 0.00012, cost_per_day: 0.0461, margin_per_day: -0.04598 },
    devices: { a: { revenue_per_day: 0.00012, cost_per_day: 0.0461 }, b: { revenue_per_day: null, cost_per_day: 0 } },
  }), 6000);
  const rows = v.rows();
  assert.deepEqual(rows.map((r) => [r.id, r.revenue_per_day, r.cost_per_day]), [['a', 0.00012, 0.0461], ['b', null, 0]]);
  const table = fleetTable(rows, 65_000, v.money());
  assert.match(table, /VERSION\s+REVENUE\/DAY EUR\s+COST\/DAY EUR/);
  assert.match(table, /0\.1\.0\s+0\.000120\s+0\.0461/);
  assert.match(table, /0\.0\.9\s+-\s+0\.00/);
  assert.match(table, /revenue 0\.000120, energy 0\.0461, margin -0\.0460 EUR\/day/);
  assert.ok(v.filters().some((f) => topicMatches(f, economicsTopic('h'))), 'the view subscribes to the economics message');
  v.ingest('h/coordinator/economics', '', 7000);
  assert.equal(v.money(), null, 'an empty retained message clears the columns');
  assert.deepEqual(v.rows().map((r) => r.revenue_per_day), [null, null]);
  v.ingest('h/coordinator/economics', JSON.stringify({ v: 1, fleet: {} }), 8000);
  assert.equal(v.money(), null, 'a message without a currency is not an economics message');
});
