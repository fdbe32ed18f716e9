// `hashling treasury backtest`: a sell policy fed the coins a fleet would have
// mined each day of a history file, against hold and sell-on-receipt
// (docs/economics.md). hashling holds no exchange keys and places no orders.
//
//   hashling treasury backtest --history FILE --algo sha256d|scrypt --hashrate HPS
//     --policy hold|sell-on-receipt|dca|ma|zscore [--fee F] [--slippage S]
//     [--every D] [--fraction F] [--short D] [--long D] [--window D] [--z Z]
//     [--pool-fee F] [--payout fpps|pps|pplns] [--from] [--to] [--json] [--plot FILE.svg]
//     [--walk-forward [--train-days N] [--test-days N]]
import { TREASURY_PARAM_NAMES, TREASURY_POLICIES, treasuryParamProblems, withDefaults, type TreasuryParamName, type TreasuryParams, type TreasuryPolicy } from '../config/treasury.ts';
import { selectRange } from '../economics/history.ts';
import { toCents } from '../economics/money.ts';
import { backtest, reportResult, type BacktestDay, type BacktestResult, type CoinDay, type TradeCosts } from '../economics/treasury/backtest.ts';
import { makePolicy } from '../economics/treasury/policies.ts';
import { walkForward, type Fold } from '../economics/treasury/walkForward.ts';
import { simulateDays } from '../economics/whatIf.ts';
import { formatTable } from '../fleet/format.ts';
import { EXIT } from '../lifecycle/exitCodes.ts';
import { HashlingError } from '../protocol/errors.ts';
import { choiceOption, numberOption, runCommand, runGroup, type CommandSpec, type OptionSpec, type Parsed } from './args.ts';
import { EXIT_NOTES, fmt, fractionOption, HISTORY_OPTIONS, historyArgs, readHistory } from './historyOptions.ts';

const PARAM_HELP: Record<TreasuryParamName, string> = {
  every: 'dca: sell every D days (default 7)',
  fraction: 'dca, ma, zscore: fraction of holdings sold per sale, in (0, 1]',
  short: 'ma: days of the short moving average (default 20)',
  long: 'ma: days of the long moving average (default 100)',
  window: 'zscore: days of the mean and deviation (default 60)',
  z: 'zscore: sell when the price is at least Z deviations above its mean (default 1.5)',
};
const PARAMS = Object.keys(PARAM_HELP) as TreasuryParamName[];

export const backtestSpec: CommandSpec = {
  name: 'treasury backtest',
  summary: 'Backtest a sell policy on the coins a device or fleet would have mined each day of a history CSV, against hold and sell-on-receipt; or evaluate it walk-forward (parameters chosen on one period, judged on the next).',
  options: {
    ...HISTORY_OPTIONS,
    policy: { type: 'string', value: TREASURY_POLICIES.join('|'), help: 'the sell policy' },
    fee: { type: 'string', value: 'F', help: 'exchange fee, fraction of proceeds in [0, 1); default 0' },
    slippage: { type: 'string', value: 'S', help: 'fill below the day\'s price, fraction in [0, 1); default 0' },
    ...Object.fromEntries(PARAMS.map((k): [string, OptionSpec] => [k, { type: 'string', value: 'N', help: PARAM_HELP[k] }])),
    'walk-forward': { type: 'boolean', help: 'choose the parameters on each training period, judge them on the next test period' },
    'train-days': { type: 'string', value: 'N', help: 'walk-forward training period in days; default 365' },
    'test-days': { type: 'string', value: 'N', help: 'walk-forward test period in days; default 180' },
  },
  notes: [
    '--json: one line per day, then {"policy","realised_fiat","holdings_native","holdings_value","max_drawdown",…} with hold and sell-on-receipt under "compare".',
    'sell-on-receipt sells each day\'s mined coins at that day\'s price minus the fee. hashling holds no exchange keys and places no orders.',
    EXIT_NOTES,
  ].join('\n'),
};

function usage(message: string): HashlingError {
  return new HashlingError('E_USAGE', message);
}

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

/** The policy parameter flags given: each must be one of the policy's, and the set valid (config/treasury.ts). */
function policyParams(p: Parsed, name: TreasuryPolicy): TreasuryParams {
  const own = TREASURY_PARAM_NAMES[name];
  const given: TreasuryParams = {};
  for (const k of PARAMS) {
    if (p.values[k] === undefined) continue;
    if (!own.includes(k)) throw usage(`--${k} is not a parameter of policy ${name}${own.length > 0 ? ` (its parameters: ${own.map((n) => `--${n}`).join(', ')})` : ''}`);
    given[k] = numberOption(p, k, 0, -Number.MAX_VALUE, Number.MAX_VALUE);
  }
  const problems = treasuryParamProblems(name, withDefaults(name, given));
  if (problems.length > 0) throw usage(problems.join('; '));
  return given;
}

function resultRow(name: string, r: BacktestResult): string[] {
  const x = reportResult(r);
  return [name, fmt(x.realised_fiat), fmt(x.holdings_native), fmt(x.holdings_value), fmt(x.total_value), `${(x.max_drawdown * 100).toFixed(1)} %`, String(x.sales)];
}
const RESULT_HEADER = ['STRATEGY', 'REALISED USD', 'HOLDINGS (coin)', 'HOLDINGS USD', 'TOTAL USD', 'MAX DRAWDOWN', 'SALES'];

async function run(p: Parsed): Promise<number> {
  const a = historyArgs(p);
  if (p.values.policy === undefined) throw usage(`--policy ${TREASURY_POLICIES.join('|')} is required`);
  const name = choiceOption(p, 'policy', TREASURY_POLICIES, 'hold');
  const costs: TradeCosts = { fee: fractionOption(p, 'fee'), slippage: fractionOption(p, 'slippage') };
  const walk = p.values['walk-forward'] === true;
  const trainDays = numberOption(p, 'train-days', 365, 2, 1e6, true);
  const testDays = numberOption(p, 'test-days', 180, 1, 1e6, true);
  if (walk && PARAMS.some((k) => p.values[k] !== undefined)) throw usage('--walk-forward chooses the parameters itself; drop the policy parameter flags');
  const params = walk ? {} : policyParams(p, name);
  const all = readHistory(a.file);
  const range = selectRange(all, a.from, a.to);
  // The coin stream: what the fleet would have mined each day (whatIf.ts).
  const mined = simulateDays(range, { algo: a.algo, hashrate_hps: a.hashrate_hps, power_w: 0, tariff: 0, pool_fee: a.pool_fee, payout: a.payout });
  const coinDays: CoinDay[] = range.map((d, i) => ({ time: d.time, price_usd: d.price_usd, mined_native: mined[i].revenue_native }));
  if (walk) {
    if (coinDays.length < trainDays + testDays) throw usage(`--walk-forward needs at least ${trainDays + testDays} days (--train-days ${trainDays} + --test-days ${testDays}); the range has ${coinDays.length}`);
    const wf = walkForward(name, coinDays, { trainDays, testDays, costs });
    report(wf.folds, wf.summary, name, a.json);
    if (a.plot) {
      const { walkForwardSpec, writeSvg } = await import('../economics/plot.ts');
      await writeSvg(a.plot, walkForwardSpec(wf.folds, name, `walk-forward ${name} (train ${trainDays} d, test ${testDays} d): total value per test period`));
      process.stderr.write(`wrote ${a.plot}\n`);
    }
    return EXIT.OK;
  }
  const lookback = all.filter((d) => d.time < range[0].time).map((d) => d.price_usd);
  const policy = makePolicy(name, params);
  const result = backtest(policy, coinDays, costs, lookback);
  const compare: Record<string, BacktestResult> = {};
  const runs: Record<string, BacktestDay[]> = { [name]: result.days };
  for (const other of ['hold', 'sell-on-receipt'] as const) {
    if (other === name) continue;
    const r = backtest(makePolicy(other), coinDays, costs, lookback);
    compare[other.replace(/-/g, '_')] = r.result;
    runs[other] = r.days;
  }
  if (a.json) {
    const lines = result.days.map((d) => JSON.stringify(d));
    lines.push(JSON.stringify(finalLine(result.result, costs, compare)));
    process.stdout.write(`${lines.join('\n')}\n`);
  } else {
    const rows = [resultRow(`${name} ${JSON.stringify(policy.params)}`.replace(' {}', ''), result.result)];
    for (const [k, r] of Object.entries(compare)) rows.push(resultRow(k.replace(/_/g, '-'), r));
    process.stdout.write(`${result.result.from}..${result.result.to}, ${a.algo} at ${a.hashrate_hps} H/s, mined ${fmt(result.result.mined_native)} coins; exchange fee ${costs.fee}, slippage ${costs.slippage}\n\n${formatTable(RESULT_HEADER, rows)}\n`);
  }
  if (a.plot) {
    const { treasurySpec, writeSvg } = await import('../economics/plot.ts');
    await writeSvg(a.plot, treasurySpec(runs, `${name} vs hold vs sell-on-receipt: total value (realised + holdings)`));
    process.stderr.write(`wrote ${a.plot}\n`);
  }
  return EXIT.OK;
}

function report(folds: readonly Fold[], s: ReturnType<typeof walkForward>['summary'], name: TreasuryPolicy, json: boolean): void {
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

export function treasuryCommand(argv: string[]): Promise<number> {
  return runGroup('treasury', 'What to do with the mined coins: sell policies backtested on history. Advice only: hashling holds no exchange keys and places no orders.', {
    backtest: { summary: 'a sell policy against hold and sell-on-receipt, or walk-forward', run: (a) => runCommand(backtestSpec, a, run) },
  }, argv);
}
