import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HashlingError } from '../../../protocol/errors.ts';
import { LineFramer } from '../../../coordinator/stratum/framing.ts';
import {
  parseStratumLine, parseSubscribeResult, parseConfigureResult, parseSetDifficulty, parseNotify,
  parseSetExtranonce, parseBooleanReply, describeStratumError, parseReconnect, rejectReasonKey, type StratumResponse,
} from '../../../coordinator/stratum/messages.ts';

import { NOTIFY_RAW, needsRecording, publicScript, recording } from '../helpers/fixtures.ts';
import { BITCOIN_BLOCKS, GENESIS_JOB } from '../../fixtures/chain.ts';

const [DIFF_RAW] = publicScript().greeting;
const enc = (s: string) => Buffer.from(s, 'utf8');

test('the framer reassembles a line split across many reads', () => {
  const f = new LineFramer();
  const line = NOTIFY_RAW;
  const got: string[] = [];
  for (let i = 0; i < line.length; i += 7) got.push(...f.push(enc(line.slice(i, i + 7))).lines);
  assert.deepEqual(got, []);
  assert.deepEqual(f.push(enc('\n')).lines, [line]);
  assert.equal(f.buffered, 0);
});

test('the framer returns several messages from one read, tolerating CRLF and blank lines', () => {
  const f = new LineFramer();
  const out = f.push(enc(`${DIFF_RAW}\r\n\n  \n${NOTIFY_RAW}\n{"id":3`));
  assert.deepEqual(out.lines, [DIFF_RAW, NOTIFY_RAW]);
  assert.deepEqual(f.push(enc(',"result":true,"error":null}\n')).lines, ['{"id":3,"result":true,"error":null}']);
});

test('the framer drops an oversized line with E_STRATUM and resynchronises at the next newline', () => {
  const f = new LineFramer(32);
  const a = f.push(enc('x'.repeat(20)));
  const b = f.push(enc('y'.repeat(20)));
  assert.equal(a.errors.length + b.errors.length, 1);
  assert.equal(b.errors[0]!.code, 'E_STRATUM');
  assert.equal(f.buffered, 0);
  const c = f.push(enc('zzz\n{"id":1,"result":true}\n'));
  assert.deepEqual(c.lines, ['{"id":1,"result":true}']);
});

test('the framer reports invalid UTF-8 as E_STRATUM and keeps going', () => {
  const f = new LineFramer();
  const out = f.push(Buffer.concat([Buffer.from([0xff, 0xfe, 0x0a]), enc('{"id":1,"result":true}\n')]));
  assert.equal(out.errors.length, 1);
  assert.deepEqual(out.lines, ['{"id":1,"result":true}']);
});

test('the framer splits a multi-byte character across reads without corrupting it', () => {
  const f = new LineFramer();
  const bytes = enc('{"id":1,"error":[20,"é"],"result":null}\n');
  const cut = bytes.indexOf(0xc3) + 1;
  assert.deepEqual(f.push(bytes.subarray(0, cut)).lines, []);
  assert.deepEqual(f.push(bytes.subarray(cut)).lines, ['{"id":1,"error":[20,"é"],"result":null}']);
});

test('garbage lines become coded E_STRATUM errors', () => {
  for (const bad of ['not json', '[1,2]', '42', '{"id":1}', '{"id":{},"result":1}', '{"method":"mining.notify","params":{}}']) {
    assert.throws(() => parseStratumLine(bad), (e: unknown) => e instanceof HashlingError && e.code === 'E_STRATUM', bad);
  }
});

test('the genesis notify parses into the genesis block\'s fields', () => {
  const notify = parseStratumLine(NOTIFY_RAW);
  assert.equal(notify.kind === 'request' && notify.method, 'mining.notify');
  const job = parseNotify((notify as { params: unknown[] }).params);
  const g = BITCOIN_BLOCKS[0]!;
  assert.equal(job.jobId, '1');
  assert.equal(job.prevhash, '0'.repeat(64));
  assert.equal(job.version, g.version);
  assert.equal(job.nbits, parseInt(g.bits, 16));
  assert.equal(job.ntime, g.time);
  assert.deepEqual(job.merkleBranch, []);
  assert.equal(job.cleanJobs, true);
  assert.equal(job.coinb1 + GENESIS_JOB.extranonce1 + GENESIS_JOB.extranonce2 + job.coinb2, g.coinbase_tx_hex);
});

test('the recorded session lines parse into typed messages', needsRecording, () => {
  const { rec } = recording();
  const sub = parseStratumLine(rec.subscribe_response_raw) as StratumResponse;
  assert.equal(sub.kind, 'response');
  // public-pool's subscription id is its extranonce1; it is the session id to resume with.
  assert.deepEqual(parseSubscribeResult(sub.result), { extranonce1: '57a6f098', extranonce2Size: 4, sessionId: '57a6f098' });
  const conf = parseStratumLine(rec.configure_response_raw) as StratumResponse;
  assert.deepEqual(parseConfigureResult(conf.result), { versionRolling: true, mask: 0x1fffe000 });
  const diff = parseStratumLine(rec.set_difficulty_raw);
  assert.equal(diff.kind, 'request');
  assert.equal(parseSetDifficulty((diff as { params: unknown[] }).params), 512);
  const notify = parseStratumLine(rec.notify_raw);
  assert.equal(notify.kind === 'request' && notify.method, 'mining.notify');
  const job = parseNotify((notify as { params: unknown[] }).params);
  assert.equal(job.jobId, '1');
  assert.equal(job.version, 0x20000000);
  assert.equal(job.nbits, 0x192495f8);
  assert.equal(job.ntime, 0x64b3f3ec);
  assert.equal(job.merkleBranch.length, 3);
  assert.equal(job.cleanJobs, false);
});

test('version, nbits and ntime without leading zeros (public-pool) parse as the same numbers', () => {
  const good: unknown[] = [...GENESIS_JOB.notifyParams];
  const job = parseNotify([...good.slice(0, 5), '2000000', '1d00ffff'.replace(/^0+/, ''), '64b3f3e', ...good.slice(8)]);
  assert.equal(job.version, 0x2000000);
  assert.equal(job.nbits, 0x1d00ffff);
  assert.equal(job.ntime, 0x64b3f3e);
  assert.equal(parseNotify([...good.slice(0, 5), '1', '1', '1', false]).version, 1);
});

test('ckpool reject reasons and coded errors become counter keys', () => {
  const r = parseStratumLine('{"id":4,"result":false,"error":null,"reject-reason":"Stale"}') as StratumResponse;
  assert.equal(r.rejectReason, 'Stale');
  assert.deepEqual(parseBooleanReply(r), { accepted: false, error: 'Stale' });
  assert.equal(rejectReasonKey('Stale'), 'stale');
  assert.equal(rejectReasonKey('23: Low difficulty share'), 'low difficulty share');
  assert.equal(rejectReasonKey(describeStratumError([21, 'Job not found', null])), 'job not found');
  assert.equal(rejectReasonKey(null), 'unknown');
});

test('client.reconnect params are read leniently; junk means the same pool, now', () => {
  assert.deepEqual(parseReconnect(['pool.example', 3334, 5]), { host: 'pool.example', port: 3334, waitS: 5 });
  assert.deepEqual(parseReconnect(['pool.example', '3334', '5']), { host: 'pool.example', port: 3334, waitS: 5 });
  assert.deepEqual(parseReconnect([]), { host: null, port: null, waitS: 0 });
  assert.deepEqual(parseReconnect(['evil host/../', 99999, -1]), { host: null, port: null, waitS: 0 });
});

test('the session id of a subscribe result comes from its mining.notify subscription', () => {
  assert.equal(parseSubscribeResult([[['mining.set_difficulty', 'b4b6693b72a50c7116db18d6497cac52'], ['mining.notify', 'ae6812eb4cd7735a302a8a9dd95cf71f']], '08000002', 4]).sessionId, 'ae6812eb4cd7735a302a8a9dd95cf71f');
  assert.equal(parseSubscribeResult([['mining.notify', 'abc'], '08000002', 4]).sessionId, 'abc');
  assert.equal(parseSubscribeResult([null, '08000002', 4]).sessionId, null);
});

test('invalid notify, difficulty and subscribe params are rejected with E_STRATUM', () => {
  const good: unknown[] = [...GENESIS_JOB.notifyParams];
  const cases: unknown[][] = [
    good.slice(0, 8),
    [...good.slice(0, 1), 'abc', ...good.slice(2)],
    [...good.slice(0, 4), 'nope', ...good.slice(5)],
    [...good.slice(0, 5), '200000000', ...good.slice(6)],
    [...good.slice(0, 5), '', ...good.slice(6)],
    [...good.slice(0, 6), '0x1d00ffff', ...good.slice(7)],
    [...good.slice(0, 8), 'yes'],
    [42, ...good.slice(1)],
  ];
  for (const c of cases) assert.throws(() => parseNotify(c), /E_STRATUM|mining.notify|must/);
  assert.throws(() => parseSetDifficulty([0]));
  assert.throws(() => parseSetDifficulty(['512']));
  assert.throws(() => parseSubscribeResult([[], 'xyz', 4]));
  assert.throws(() => parseSubscribeResult([[], '00', 0]));
  assert.deepEqual(parseSetExtranonce(['aabbccdd', 2]), { extranonce1: 'aabbccdd', extranonce2Size: 2 });
});

test('a pool without version rolling yields no mask', () => {
  assert.deepEqual(parseConfigureResult(null), { versionRolling: false, mask: null });
  assert.deepEqual(parseConfigureResult({ 'version-rolling': false }), { versionRolling: false, mask: null });
});

test('submit replies and the three error shapes are normalised', () => {
  assert.deepEqual(parseBooleanReply({ kind: 'response', id: 5, result: true, error: null, rejectReason: null }), { accepted: true, error: null });
  assert.equal(parseBooleanReply({ kind: 'response', id: 5, result: false, error: null, rejectReason: null }).accepted, false);
  assert.equal(describeStratumError([23, 'Low difficulty share', null]), '23: Low difficulty share');
  assert.equal(describeStratumError({ code: 21, message: 'Job not found' }), '21: Job not found');
  assert.equal(describeStratumError('stale'), 'stale');
  assert.equal(describeStratumError(null), null);
});
