// `hashling treasury backtest`: a sell policy fed the coins a fleet would have
// mined each day of a history file, against hold and sell-on-receipt
// (docs/economics.md). hashling holds no exchange keys and places no orders.
//
//   hashling treasury backtest --history FILE --algo sha256d|scrypt --hashrate HPS
//     --policy hold|sell-on-receipt|dca|ma|zscore [--fee F] [--slippage S]
//     [--every D] [--fraction F] [--short D] [--long D] [--window D] [--z Z]
//     [--pool-fee F] [--payout fpps|pps|pplns] [--from] [--to] [--json] [--plot FILE.svg]
//     [--walk-forward [--train-days N] [--test-days N]]
import { parseArgs } from 'node:util';
import { selectRange } from '../economics/history.ts';
import { toCents } from '../economics/money.ts';
import { backtest, reportResult, type BacktestDay, type BacktestResult, type CoinDay, type TradeCosts } from '../economics/treasury/backtest.ts';
import { makePolicy, paramNames, POLICY_NAMES, type PolicyName, type PolicyParams } from '../economics/treasury/policies.ts';
import { walkForward, type Fold } from '../economics/treasury/walkForward.ts';
import { simulateDays } from '../economics/whatIf.ts';
import { formatTable } from '../fleet/view.ts';
import { fmt, HISTORY_FLAGS, historyArgs, numberFlag, readHistory, runCli, UsageError } from './economics.ts';

const USAGE = 'usage: hashling treasury backtest --history FILE --algo sha256d|scrypt --hashrate HPS --policy hold|sell-on-receipt|dca|ma|zscore\n'
  + '         [--fee F] [--slippage S] [--every D] [--fraction F] [--short D] [--long D] [--window D] [--z Z]\n'
  + '         [--pool-fee F] [--payout fpps|pps|pplns] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json] [--plot FILE.svg]\n'
  + '         [--walk-forward [--train-days N] [--test-days N]]\n';

const OPTIONS = {
  ...HISTORY_FLAGS,
  policy: { type: 'string' },
  fee: { type: 'string' },
  slippage: { type: 'string' },
  every: { type: 'string' },
  fraction: { type: 'string' },
  short: { type: 'string' },
  long: { type: 'string' },
  window: { type: 'string' },
  z: { type: 'string' },
  'walk-forward': { type: 'boolean' },
  'train-days': { type: 'string' },
  'test-days': { type: 'string' },
} as const;

/** The final line: the five interface keys first, then the rest. */
export function finalLine(r: BacktestResult, costs: TradeCosts, compare?: Record<string, BacktestResult>): Record<string, unknown> {
  const x = reportResult(r);
  const line: Record<string, unknown> = {
    policy: x.policy, realised_fiat: x.realised_fiat, holdings_native: x.holdings_native, holdings_value: x.holdings_value, max_drawdown: x.max_drawdown,
    total_value: x.total_value, params: x.params, from: x.from, to: x.to, mined_native: x.mined_native, sold_native: x.sold_native, sales: x.sales,
    fee: costs.fee, slippage: costs.slippage,
  };
  if (compare) {
    line.compare = Object.fromEntries(Object.entries(compare).map(([k, c]) => {
      const y = reportResult(c);
      return [k, { realised_fiat: y.realised_fiat, holdings_native: y.holdings_native, holdings_value: y.holdings_value, total_value: y.total_value, max_drawdown: y.max_drawdown }];
    }));
  }
  return line;
}

function policyParams(v: Record<string, string | boolean | undefined>, name: PolicyName): PolicyParams {
  const p: PolicyParams = {};
  for (const k of ['every', 'fraction', 'short', 'long', 'window', 'z'] as const) {
    if (v[k] === undefined) continue;
    if (!paramNames(name).includes(k)) throw new UsageError(`--${k} is not a parameter of policy ${name}${paramNames(name).length ? ` (its parameters: ${paramNames(name).map((n) => `--${n}`).join(', ')})` : ''}`);
    p[k] = numberFlag(k, v[k] as string, NaN, -Infinity);
  }
  return p;
}

function resultRow(name: string, r: BacktestResult): string[] {
  const x = reportResult(r);
  return [name, fmt(x.realised_fiat), fmt(x.holdings_native), fmt(x.holdings_value), fmt(x.total_value), `${(x.max_drawdown * 100).toFixed(1)} %`, String(x.sales)];
}
const RESULT_HEADER = ['STRATEGY', 'REALISED USD', 'HOLDINGS (coin)', 'HOLDINGS USD', 'TOTAL USD', 'MAX DRAWDOWN', 'SALES'];

export async function treasuryCommand(argv: string[]): Promise<number> {
  return runCli(USAGE, 'treasury', async () => {
    const [sub, ...rest] = argv;
    if (sub === '--help' || sub === '-h' || sub === 'help') { process.stdout.write(USAGE); return 0; }
    if (sub !== 'backtest') throw new UsageError(sub === undefined ? 'missing subcommand' : `unknown subcommand "${sub}"`);
    const { values } = parseArgs({ args: rest, options: OPTIONS, strict: true, allowPositionals: false });
    if (values.help) { process.stdout.write(USAGE); return 0; }
    const a = historyArgs(values);
    const name = values.policy as PolicyName;
    if (!POLICY_NAMES.includes(name)) throw new UsageError(`--policy must be one of ${POLICY_NAMES.join(', ')}`);
    const costs: TradeCosts = { fee: numberFlag('fee', values.fee, 0, 0, 1, true), slippage: numberFlag('slippage', values.slippage, 0, 0, 1, true) };
    const all = readHistory(a.file);
    const range = selectRange(all, a.from, a.to);
    // The coin stream: what the fleet would have mined each day (whatIf.ts).
    const mined = simulateDays(range, { algo: a.algo, hashrate_hps: a.hashrate_hps, power_w: 0, tariff: 0, pool_fee: a.pool_fee, payout: a.payout });
    const coinDays: CoinDay[] = range.map((d, i) => ({ time: d.time, price_usd: d.price_usd, mined_native: mined[i]!.revenue_native }));
    const lookback = all.filter((d) => d.time < range[0]!.time).map((d) => d.price_usd);
    if (values['walk-forward']) {
      const trainDays = numberFlag('train-days', values['train-days'], 365, 2);
      const testDays = numberFlag('test-days', values['test-days'], 180, 1);
      if (paramNames(name).some((k) => values[k] !== undefined)) throw new UsageError('--walk-forward chooses the parameters itself; drop the policy parameter flags');
      const wf = walkForward(name, coinDays, { trainDays, testDays, costs });
      report(wf.folds, wf.summary, name, a.json);
      if (a.plot) {
        const { walkForwardSpec, writeSvg } = await import('../economics/plot.ts');
        await writeSvg(a.plot, walkForwardSpec(wf.folds, name, `walk-forward ${name} (train ${trainDays} d, test ${testDays} d): total value per test period`));
        process.stderr.write(`wrote ${a.plot}\n`);
      }
      return 0;
    }
    const policy = makePolicy(name, policyParams(values, name));
    const run = backtest(policy, coinDays, costs, lookback);
    const compare: Record<string, BacktestResult> = {};
    const runs: Record<string, BacktestDay[]> = { [name]: run.days };
    for (const other of ['hold', 'sell-on-receipt'] as const) {
      if (other === name) continue;
      const r = backtest(makePolicy(other), coinDays, costs, lookback);
      compare[other.replace(/-/g, '_')] = r.result;
      runs[other] = r.days;
    }
    if (a.json) {
      const lines = run.days.map((d) => JSON.stringify(d));
      lines.push(JSON.stringify(finalLine(run.result, costs, compare)));
      process.stdout.write(`${lines.join('\n')}\n`);
    } else {
      const rows = [resultRow(`${name} ${JSON.stringify(policy.params)}`.replace(' {}', ''), run.result)];
      for (const [k, r] of Object.entries(compare)) rows.push(resultRow(k.replace(/_/g, '-'), r));
      process.stdout.write(`${run.result.from}..${run.result.to}, ${a.algo} at ${a.hashrate_hps} H/s, mined ${fmt(run.result.mined_native)} coins; exchange fee ${costs.fee}, slippage ${costs.slippage}\n\n${formatTable(RESULT_HEADER, rows)}\n`);
    }
    if (a.plot) {
      const { treasurySpec, writeSvg } = await import('../economics/plot.ts');
      await writeSvg(a.plot, treasurySpec(runs, `${name} vs hold vs sell-on-receipt: total value (realised + holdings)`));
      process.stderr.write(`wrote ${a.plot}\n`);
    }
    return 0;
  });
}

function report(folds: readonly Fold[], s: ReturnType<typeof walkForward>['summary'], name: PolicyName, json: boolean): void {
  if (json) {
    const lines = folds.map((f) => JSON.stringify({ ...f, policy: reportResult(f.policy), hold: reportResult(f.hold), sell_on_receipt: reportResult(f.sell_on_receipt) }));
    // The final line keeps the backtest's five keys, summed over the test periods.
    const sum = (k: 'realised_fiat' | 'holdings_value') => folds.reduce((acc, f) => acc + f.policy[k], 0);
    const { policy: _p, max_drawdown: _m, ...rest } = s;
    lines.push(JSON.stringify({
      policy: name, realised_fiat: toCents(sum('realised_fiat')), holdings_native: folds.reduce((acc, f) => acc + f.policy.holdings_native, 0),
      holdings_value: toCents(sum('holdings_value')), max_drawdown: s.max_drawdown, ...rest,
    }));
    process.stdout.write(`${lines.join('\n')}\n`);
    return;
  }
  const rows = folds.map((f) => [
    String(f.fold), `${f.test_from}..${f.test_to}`, JSON.stringify(f.params).replace(/"/g, ''),
    fmt(reportResult(f.policy).total_value), fmt(reportResult(f.hold).total_value), fmt(reportResult(f.sell_on_receipt).total_value),
  ]);
  process.stdout.write(`${formatTable(['FOLD', 'TEST PERIOD', 'PARAMS (chosen on the train period)', `${name} USD`, 'HOLD USD', 'SELL-ON-RECEIPT USD'], rows)}\n\n`
    + `walk-forward ${name}, ${s.folds} folds (train ${s.train_days} d, test ${s.test_days} d): total ${fmt(s.total_value)} USD vs hold ${fmt(s.hold_total_value)} vs sell-on-receipt ${fmt(s.sell_on_receipt_total_value)}; `
    + `beat hold in ${s.beat_hold}, sell-on-receipt in ${s.beat_sell_on_receipt} of ${s.folds} folds; worst drawdown ${(s.max_drawdown * 100).toFixed(1)} %\n`);
}
