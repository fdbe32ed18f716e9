import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FleetView, fleetTable, formatAge, formatRate } from '../../fleet/view.ts';
import { commandTopic, expectedResponders, parseTarget, summarize } from '../../fleet/request.ts';

function fleet(): FleetView {
  const v = new FleetView('h');
  const msg = (topic: string, body: object, at = 1000) => v.ingest(topic, JSON.stringify(body), at);
  msg('h/a/status', { v: 1, state: 'online', ts: 900 });
  msg('h/a/info', { v: 1, version: '0.1.0', groups: ['g1'], ts: 900 });
  msg('h/a/state', { v: 1, mode: 'hashing', ts: 950 });
  msg('h/a/telemetry', { v: 1, hashrate_hps: { '10s': 2_500_000 }, temp_c: 55.25, power_w: 3.1, shares_found: 7 }, 5000);
  msg('h/b/status', { v: 1, state: 'lost', ts: 100 });
  msg('h/b/info', { v: 1, version: '0.0.9', groups: ['g1', 'g2'], ts: 50 });
  msg('h/coordinator/status', { v: 1, state: 'online' });
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
  const ok = summarize(['a', 'b'], [], new Map([['a', { status: 'ok', data: { pong: true } }], ['b', { status: 'ok', data: {} }]]));
  assert.equal(ok.exitCode, 0);
  const err = summarize(['a'], [], new Map([['a', { status: 'error', error: { code: 'E_BAD_COMMAND', message: 'no' } }]]));
  assert.equal(err.exitCode, 1);
  assert.match(err.table, /error E_BAD_COMMAND\s+no/);
  const missing = summarize(['a', 'b'], ['c'], new Map([['a', { status: 'ok', data: {} }]]));
  assert.equal(missing.exitCode, 2);
  assert.match(missing.table, /b\s+NO ANSWER/);
  assert.match(missing.table, /offline \(not asked\): c/);
  assert.match(missing.table, /no answer from 1: b/);
});
