import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWorkPayload, MAX_WORK_PAYLOAD_BYTES } from '../../protocol/workUnit.ts';

const HEADER = '01000000' + '00'.repeat(32) + '3ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a' + '29ab5f49' + 'ffff001d' + '1dac2b7c';
const TARGET = '00000000ffff0000000000000000000000000000000000000000000000000000';
const good = { v: 1, unit_id: 'u-1', job_id: 'j-1', algo: 'sha256d', header: HEADER, nonce_start: 0, nonce_end: 100, target: TARGET };

function parse(x: unknown) {
  return parseWorkPayload(Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)));
}

test('a valid sha256d unit parses with lowercase hex and defaults', () => {
  const r = parse({ ...good, header: HEADER.toUpperCase() });
  assert.deepEqual(r.errors, []);
  assert.equal(r.units.length, 1);
  assert.equal(r.units[0].algo, 'sha256d');
  assert.equal((r.units[0] as { header: string }).header, HEADER.toLowerCase());
  assert.equal(r.units[0].clean, false);
  assert.equal(r.units[0].expires_at, null);
});

test('an array of units parses every element in order', () => {
  const r = parse([{ ...good, unit_id: 'a' }, { ...good, unit_id: 'b' }]);
  assert.deepEqual(r.units.map((u) => u.unit_id), ['a', 'b']);
});

test('a duco-s1 unit parses and may use nonces beyond 2^32', () => {
  const r = parse({ v: 1, unit_id: 'd', job_id: 'j', algo: 'duco-s1', last_hash: 'a'.repeat(40), expected_hash: 'B'.repeat(40), difficulty: 10, nonce_start: 0, nonce_end: 2 ** 33 });
  assert.deepEqual(r.errors, []);
  assert.equal((r.units[0] as { expected_hash: string }).expected_hash, 'b'.repeat(40));
});

// Each bad payload kind → its stable code, and the unit_id when one can be read.
const BAD: [string, unknown, string, string | undefined][] = [
  ['not JSON', '{nope', 'E_BAD_JSON', undefined],
  ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'E_BAD_JSON', undefined],
  ['a JSON number', 42, 'E_BAD_WORK_UNIT', undefined],
  ['a JSON string', '"work"', 'E_BAD_WORK_UNIT', undefined],
  ['null', 'null', 'E_BAD_WORK_UNIT', undefined],
  ['wrong v', { ...good, v: 2 }, 'E_BAD_VERSION', 'u-1'],
  ['missing v', { ...good, v: undefined }, 'E_BAD_VERSION', 'u-1'],
  ['unknown algo', { ...good, algo: 'x11' }, 'E_UNKNOWN_ALGO', 'u-1'],
  ['missing algo', { ...good, algo: undefined }, 'E_UNKNOWN_ALGO', 'u-1'],
  ['odd-length header', { ...good, header: HEADER.slice(1) }, 'E_BAD_WORK_UNIT', 'u-1'],
  ['non-hex header', { ...good, header: 'zz' + HEADER.slice(2) }, 'E_BAD_WORK_UNIT', 'u-1'],
  ['short header', { ...good, header: HEADER.slice(0, 158) }, 'E_BAD_WORK_UNIT', 'u-1'],
  ['long header', { ...good, header: HEADER + '00' }, 'E_BAD_WORK_UNIT', 'u-1'],
  ['header as number', { ...good, header: 12 }, 'E_BAD_WORK_UNIT', 'u-1'],
  ['nonce_start > nonce_end', { ...good, nonce_start: 5, nonce_end: 4 }, 'E_BAD_WORK_UNIT', 'u-1'],
  ['negative nonce', { ...good, nonce_start: -1 }, 'E_BAD_WORK_UNIT', 'u-1'],
  ['nonce above u32', { ...good, nonce_end: 2 ** 32 }, 'E_BAD_WORK_UNIT', 'u-1'],
  ['fractional nonce', { ...good, nonce_end: 1.5 }, 'E_BAD_WORK_UNIT', 'u-1'],
  ['nonce as string', { ...good, nonce_start: '0' }, 'E_BAD_WORK_UNIT', 'u-1'],
  ['short target', { ...good, target: TARGET.slice(2) }, 'E_BAD_WORK_UNIT', 'u-1'],
  ['non-hex target', { ...good, target: 'g'.repeat(64) }, 'E_BAD_WORK_UNIT', 'u-1'],
  ['missing unit_id', { ...good, unit_id: undefined }, 'E_BAD_WORK_UNIT', undefined],
  ['empty unit_id', { ...good, unit_id: '' }, 'E_BAD_WORK_UNIT', undefined],
  ['unit_id with spaces', { ...good, unit_id: 'a b' }, 'E_BAD_WORK_UNIT', undefined],
  ['missing job_id', { ...good, job_id: undefined }, 'E_BAD_WORK_UNIT', 'u-1'],
  ['bad expires_at', { ...good, expires_at: 'soon' }, 'E_BAD_WORK_UNIT', 'u-1'],
  ['bad clean', { ...good, clean: 'yes' }, 'E_BAD_WORK_UNIT', 'u-1'],
  ['duco without difficulty', { v: 1, unit_id: 'd', job_id: 'j', algo: 'duco-s1', last_hash: 'a'.repeat(40), expected_hash: 'b'.repeat(40), nonce_start: 0, nonce_end: 1 }, 'E_BAD_WORK_UNIT', 'd'],
  ['empty array', [], 'E_BAD_BATCH', undefined],
  ['array of 65', Array.from({ length: 65 }, (_, i) => ({ ...good, unit_id: `u${i}` })), 'E_BAD_BATCH', undefined],
  ['oversized payload', JSON.stringify({ ...good, pad: 'x'.repeat(MAX_WORK_PAYLOAD_BYTES) }), 'E_TOO_LARGE', undefined],
  ['__proto__ key only', '{"__proto__":{"v":1}}', 'E_BAD_VERSION', undefined],
];

for (const [name, payload, code, unitId] of BAD) {
  test(`bad work payload (${name}) is refused with ${code}`, () => {
    const r = parseWorkPayload(Buffer.isBuffer(payload) ? payload : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)));
    assert.equal(r.units.length, 0);
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0].code, code);
    assert.equal(r.errors[0].unitId, unitId);
  });
}

test('an array of junk yields one coded error per element and keeps the good ones', () => {
  const r = parse([1, 'x', null, { ...good, unit_id: 'ok' }, { ...good, unit_id: 'bad', target: 'zz' }]);
  assert.deepEqual(r.units.map((u) => u.unit_id), ['ok']);
  assert.deepEqual(r.errors.map((e) => [e.code, e.unitId]), [
    ['E_BAD_WORK_UNIT', undefined], ['E_BAD_WORK_UNIT', undefined], ['E_BAD_WORK_UNIT', undefined], ['E_BAD_WORK_UNIT', 'bad'],
  ]);
});
