// The two commands end to end on a small history made here (no licensed data).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../helpers/agentProcess.ts';

let dir = '';
let csv = '';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'hashling-econ-'));
  csv = join(dir, 'coin.csv');
  // 600 days, 144 blocks of 10 coins + 0.5 fees at difficulty 1e6; the price swings.
  const rows = ['time,price_usd,difficulty_mean,issuance_native,fees_native,block_count'];
  for (let i = 0; i < 600; i++) {
    const day = new Date(Date.UTC(2018, 0, 1 + i)).toISOString().slice(0, 10);
    rows.push(`${day},${(100 + 60 * Math.sin(i / 20)).toFixed(4)},1000000,1440,72,144`);
  }
  writeFileSync(csv, `${rows.join('\n')}\n`);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function hashling(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { maxBuffer: 32 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (err as { code?: number }).code ?? 1 : 0, stdout, stderr });
    });
  });
}

test('economics prints a table and summary, and --plot writes an SVG chart', async () => {
  const svg = join(dir, 'e.svg');
  const r = await hashling(['economics', '--history', csv, '--algo', 'sha256d', '--hashrate', '1G', '--watts', '10', '--tariff', '0.25', '--to', '2018-01-10', '--plot', svg]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines[0]!, /^DATE\s+REVENUE \(coin\)\s+REVENUE USD\s+kWh\s+COST USD\s+MARGIN USD$/);
  assert.equal(lines.filter((l) => /^2018-01-\d\d /.test(l)).length, 10);
  // 1e9 H/s × 86400 s / (1e6 × 2^32) × 10.5 coins per block.
  const coins = (1e9 * 86400 / (1e6 * 2 ** 32)) * 10.5;
  assert.equal((coins * 10).toFixed(2), '2.11');
  assert.match(r.stdout, /revenue 2\.11 coins/);
  assert.match(r.stdout, /energy 2\.40 kWh = 0\.6000 USD/);
  assert.match(readFileSync(svg, 'utf8'), /^<svg/);
});

test('the payout scheme changes what a hash earns: PPS leaves the fees to the pool', async () => {
  const args = ['economics', '--history', csv, '--algo', 'sha256d', '--hashrate', '1e9', '--to', '2018-01-01', '--json'];
  const fpps = JSON.parse((await hashling(args)).stdout.split('\n')[0]!);
  const pps = JSON.parse((await hashling([...args, '--payout', 'pps'])).stdout.split('\n')[0]!);
  assert.ok(Math.abs(pps.revenue_native / fpps.revenue_native - 10 / 10.5) < 1e-12);
});

test('usage mistakes exit 64 naming the flag; a bad history file exits 65 with E_BAD_DATA and the line', async () => {
  const cases: Array<[string[], number, RegExp]> = [
    [['economics', '--history', csv, '--algo', 'x11', '--hashrate', '1'], 64, /--algo must be one of sha256d, scrypt \(got "x11"\)/],
    [['economics', '--history', csv, '--algo', 'sha256d', '--hashrate', 'fast'], 64, /--hashrate "fast"/],
    [['economics', '--history', csv, '--algo', 'sha256d', '--hashrate', '1', '--pool-fee', '1'], 64, /--pool-fee must be a fraction in \[0, 1\) \(got "1"\)/],
    [['economics', '--history', csv, '--algo', 'sha256d', '--hashrate', '1', '--bogus'], 64, /unknown option --bogus/],
    [['economics', '--history', join(dir, 'nope.csv'), '--algo', 'sha256d', '--hashrate', '1'], 64, /cannot read --history .*ENOENT/],
    [['economics', '--history', csv, '--algo', 'sha256d', '--hashrate', '1', '--plot', 'x.png'], 64, /--plot FILE must end in \.svg/],
    [['treasury', 'backtest', '--history', csv, '--algo', 'sha256d', '--hashrate', '1', '--policy', 'yolo'], 64, /--policy must be one of hold, sell-on-receipt, dca, ma, zscore/],
    [['treasury', 'backtest', '--history', csv, '--algo', 'sha256d', '--hashrate', '1', '--policy', 'hold', '--window', '5'], 64, /--window is not a parameter of policy hold/],
    [['treasury', 'backtest', '--history', csv, '--algo', 'sha256d', '--hashrate', '1', '--policy', 'ma', '--short', '9', '--long', '3'], 64, /short \(9\) must be below long \(3\)/],
    [['treasury', 'sell'], 64, /unknown subcommand "sell"/],
    [['economics', '--algo', 'sha256d', '--hashrate', '1'], 64, /--history FILE is required/],
    [['economics', '--history', csv, '--algo', 'sha256d', '--hashrate', '1', '--from', '2030-01-01'], 64, /no history days between 2030-01-01 and the end \(file covers 2018-01-01 to 2019-08-23\)/],
    [['economics', '--history', csv, '--algo', 'sha256d', '--hashrate', '1', '--to', '2018-02-30'], 64, /--to "2018-02-30" is not YYYY-MM-DD/],
    [['treasury', 'backtest', '--history', csv, '--algo', 'sha256d', '--hashrate', '1'], 64, /--policy hold\|sell-on-receipt\|dca\|ma\|zscore is required/],
    [['treasury', 'backtest', '--history', csv, '--algo', 'sha256d', '--hashrate', '1', '--policy', 'ma', '--walk-forward', '--train-days', '500', '--test-days', '200'], 64, /needs at least 700 days/],
  ];
  for (const [args, code, msg] of cases) {
    const r = await hashling(args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, msg);
  }
  const broken = join(dir, 'broken.csv');
  writeFileSync(broken, 'time,price_usd,difficulty_mean,issuance_native,fees_native,block_count\n2020-01-01,1,1,1,1,1\n2020-01-02,abc,1,1,1,1\n');
  const r = await hashling(['economics', '--history', broken, '--algo', 'sha256d', '--hashrate', '1']);
  assert.equal(r.code, 65);
  assert.match(r.stderr, /E_BAD_DATA .*broken\.csv line 3: price_usd "abc" must be a number > 0/);
});

test('--help prints the options and the exit codes and starts nothing', async () => {
  for (const args of [['economics', '--help'], ['treasury', 'backtest', '--help']]) {
    const r = await hashling(args);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /--history FILE/);
    assert.match(r.stdout, /--plot FILE\.svg/);
    assert.match(r.stdout, /exit codes: 0 done, 64 usage .*65 bad data \(E_BAD_DATA/);
  }
  const group = await hashling(['treasury', '--help']);
  assert.equal(group.code, 0);
  assert.match(group.stdout, /backtest\s+a sell policy/);
});

test('treasury backtest --json: one line per day, then the result with hold and sell-on-receipt beside it', async () => {
  const r = await hashling(['treasury', 'backtest', '--history', csv, '--algo', 'scrypt', '--hashrate', '1e9', '--policy', 'dca', '--every', '10', '--fraction', '0.5', '--fee', '0.002', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 601);
  const final = lines[600];
  assert.deepEqual(Object.keys(final).slice(0, 5), ['policy', 'realised_fiat', 'holdings_native', 'holdings_value', 'max_drawdown']);
  assert.equal(final.policy, 'dca');
  assert.deepEqual(final.params, { every: 10, fraction: 0.5 });
  assert.equal(final.sales, 60);
  assert.equal(final.compare.hold.realised_fiat, 0);
  assert.equal(final.compare.sell_on_receipt.holdings_native, 0);
  assert.equal(lines.filter((l) => l.action === 'sell').length, 60);
});

test('treasury backtest --walk-forward: one line per fold, then the summary against hold and sell-on-receipt, and a bar chart', async () => {
  const svg = join(dir, 'wf.svg');
  const r = await hashling(['treasury', 'backtest', '--history', csv, '--algo', 'sha256d', '--hashrate', '1e9', '--policy', 'zscore', '--walk-forward', '--train-days', '200', '--test-days', '100', '--json', '--plot', svg]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 5); // (600 − 200) / 100 folds + summary
  const summary = lines[4];
  assert.equal(summary.walk_forward, true);
  assert.equal(summary.policy, 'zscore');
  assert.equal(summary.folds, 4);
  assert.equal(lines[0].test_from, '2018-07-20');
  assert.ok(typeof lines[0].params.window === 'number');
  assert.match(readFileSync(svg, 'utf8'), /sell-on-receipt/);
});
