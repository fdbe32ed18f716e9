// The acceptance checks, run from outside: the real `hashling` bin on
// the licensed Coin Metrics history in ../shared/data (skipped when absent),
// compared with figures computed here straight from the CSV.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { BIN } from '../helpers/agentProcess.ts';
import { sharedHistory } from './helpers/sharedData.ts';

const run = promisify(execFile);

async function hashling(args: string[]): Promise<any[]> {
  const { stdout } = await run(process.execPath, [BIN, ...args], { maxBuffer: 64 << 20 });
  return stdout.trim().split('\n').map((l) => JSON.parse(l));
}

/** The CSV as plain records, read independently of the product's reader. */
function csv(path: string): Record<string, number | string>[] {
  const [head, ...rows] = readFileSync(path, 'utf8').trim().split('\n');
  const cols = head!.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [cols[i]!, i === 0 ? v : Number(v)])));
}

test('1 TH/s of sha256d earns (coins issued + fees) / network TH/s on every Bitcoin day, and (1 − f) of it with a pool fee', async (t) => {
  const file = sharedHistory('btc-daily.csv');
  if (!file) return t.skip('btc-daily.csv missing');
  const data = csv(file);
  const gross = await hashling(['economics', '--history', file, '--algo', 'sha256d', '--hashrate', '1e12', '--json']);
  const net = await hashling(['economics', '--history', file, '--algo', 'sha256d', '--hashrate', '1e12', '--pool-fee', '0.025', '--json']);
  assert.equal(gross.length, data.length + 1);
  assert.equal(gross[gross.length - 1].summary, true);
  let worst = 0;
  data.forEach((d, i) => {
    const g = gross[i];
    assert.deepEqual(Object.keys(g), ['time', 'revenue_native', 'revenue_usd', 'energy_kwh', 'cost', 'margin']);
    assert.equal(g.time, d.time);
    const expected = ((d.issuance_native as number) + (d.fees_native as number)) / (d.hashrate as number);
    worst = Math.max(worst, Math.abs(g.revenue_native / expected - 1));
    assert.ok(Math.abs(net[i].revenue_native - 0.975 * g.revenue_native) <= 1e-12 * g.revenue_native, d.time as string);
    assert.ok(Math.abs(g.revenue_usd - g.revenue_native * (d.price_usd as number)) <= 1e-12 * g.revenue_usd);
  });
  assert.ok(worst < 0.005, `worst relative difference ${worst}`);
  t.diagnostic(`${data.length} days, worst relative difference ${worst.toExponential(2)}`);
});

test('energy, cost and margin per day follow the watts and the tariff', async (t) => {
  const file = sharedHistory('ltc-daily.csv');
  if (!file) return t.skip('ltc-daily.csv missing');
  const lines = await hashling(['economics', '--history', file, '--algo', 'scrypt', '--hashrate', '36.6k', '--watts', '6.4', '--tariff', '0.30', '--from', '2019-01-01', '--to', '2019-01-31', '--json']);
  const days = lines.slice(0, -1);
  const summary = lines[lines.length - 1];
  assert.equal(days.length, 31);
  for (const d of days) {
    assert.ok(Math.abs(d.energy_kwh - 0.1536) < 1e-12);
    assert.ok(Math.abs(d.cost - 0.04608) < 1e-12);
    assert.ok(Math.abs(d.margin - (d.revenue_usd - d.cost)) < 1e-12);
  }
  assert.equal(summary.days, 31);
  assert.ok(Math.abs(summary.cost - 31 * 0.04608) < 1e-9);
  assert.ok(Math.abs(summary.break_even_price_usd * summary.revenue_native - summary.cost) < 1e-9);
});

test('sell-on-receipt realised fiat equals Σ coins mined × price × (1 − fee), to the cent', async (t) => {
  const file = sharedHistory('btc-daily.csv');
  if (!file) return t.skip('btc-daily.csv missing');
  const fee = 0.015;
  // A fleet of 1,000 Pi-class devices (20 GH/s), so the sum is dollars, not fractions of a cent.
  const common = ['--history', file, '--algo', 'sha256d', '--hashrate', '2.01e10', '--pool-fee', '0.01', '--json'];
  const mined = (await hashling(['economics', ...common])).slice(0, -1);
  const lines = await hashling(['treasury', 'backtest', ...common, '--policy', 'sell-on-receipt', '--fee', String(fee)]);
  const final = lines[lines.length - 1];
  assert.deepEqual(Object.keys(final).slice(0, 5), ['policy', 'realised_fiat', 'holdings_native', 'holdings_value', 'max_drawdown']);
  const prices = new Map(csv(file).map((d) => [d.time, d.price_usd as number]));
  const expected = mined.reduce((s, d) => s + d.revenue_native * prices.get(d.time)! * (1 - fee), 0);
  assert.equal(final.policy, 'sell-on-receipt');
  assert.equal(Math.round(final.realised_fiat * 100), Math.round(expected * 100), `${final.realised_fiat} vs ${expected}`);
  assert.equal(final.holdings_native, 0);
  assert.equal(final.holdings_value, 0);
  assert.equal(lines.length - 1, mined.length);
  t.diagnostic(`realised ${final.realised_fiat} USD, Σ ${expected}`);
});
