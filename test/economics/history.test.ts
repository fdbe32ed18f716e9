import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHistoryCsv, selectRange } from '../../economics/history.ts';
import type { HashlingError } from '../../protocol/errors.ts';

const HEAD = 'time,price_usd,difficulty_mean,issuance_native,fees_native,hashrate,block_count';

test('reads the columns by name in any order, ignoring others', () => {
  const days = parseHistoryCsv('extra,block_count,time,fees_native,issuance_native,difficulty_mean,price_usd\nx,144,2020-01-01,1.5,1800,1e13,7200\n');
  assert.deepEqual(days, [{ time: '2020-01-01', price_usd: 7200, difficulty_mean: 1e13, issuance_native: 1800, fees_native: 1.5, block_count: 144, hashrate_ths: null }]);
});

test('a missing column is named, with every column the reader needs', () => {
  assert.throws(() => parseHistoryCsv('time,price_usd\n2020-01-01,1\n', 'h.csv'), (e: HashlingError) => e.code === 'E_BAD_DATA' && /missing columns difficulty_mean, issuance_native, fees_native, block_count/.test(e.message));
});

test('bad values name the line and column', () => {
  const bad = (row: string) => () => parseHistoryCsv(`${HEAD}\n${row}\n`, 'h.csv');
  assert.throws(bad('2020-13-45,1,1,1,1,1,1'), /h\.csv line 2: time "2020-13-45"/);
  assert.throws(bad('2020-02-30,1,1,1,1,1,1'), /h\.csv line 2: time "2020-02-30" is not YYYY-MM-DD/);
  assert.throws(bad('2020-01-01,,1,1,1,1,1'), /line 2: price_usd "" must be a number > 0/);
  assert.throws(bad('2020-01-01,1,1,1,1,1,0'), /block_count "0" must be a number > 0/);
  assert.throws(bad('2020-01-01,1,1,-5,1,1,1'), /issuance_native "-5" must be a number ≥ 0/);
  assert.throws(() => parseHistoryCsv(`${HEAD}\n2020-01-02,1,1,1,1,1,1\n2020-01-01,1,1,1,1,1,1\n`), /does not come after 2020-01-02/);
  assert.throws(() => parseHistoryCsv(`${HEAD}\n`), /no data rows/);
});

test('quoted cells and CRLF line ends are read', () => {
  const days = parseHistoryCsv(`${HEAD}\r\n"2020-01-01","7200.5","1e13",1800,0,"1",144\r\n`);
  assert.equal(days[0]!.price_usd, 7200.5);
  assert.equal(days[0]!.hashrate_ths, 1);
});

test('a date range selects inclusive days and says what the file covers when empty', () => {
  const days = parseHistoryCsv(`${HEAD}\n2020-01-01,1,1,1,1,1,1\n2020-01-02,1,1,1,1,1,1\n2020-01-03,1,1,1,1,1,1\n`);
  assert.deepEqual(selectRange(days, '2020-01-02').map((d) => d.time), ['2020-01-02', '2020-01-03']);
  assert.deepEqual(selectRange(days, undefined, '2020-01-01').map((d) => d.time), ['2020-01-01']);
  // A range outside the file is the caller's mistake (exit 64), not the file's.
  assert.throws(() => selectRange(days, '2021-01-01'), (e: HashlingError) => e.code === 'E_USAGE' && /file covers 2020-01-01 to 2020-01-03/.test(e.message));
  assert.throws(() => selectRange(days, '1/1/2020'), (e: HashlingError) => e.code === 'E_USAGE' && /--from "1\/1\/2020" is not YYYY-MM-DD/.test(e.message));
});
