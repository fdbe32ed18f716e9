// `hashling economics`: what a device or fleet would have earned and spent over
// a history file (docs/economics.md).
//
//   hashling economics --history FILE --algo sha256d|scrypt --hashrate HPS [--watts W]
//     [--tariff PRICE_PER_KWH] [--pool-fee F] [--payout fpps|pps|pplns]
//     [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json] [--plot FILE.svg]
//
// --json: one line per day {"time","revenue_native","revenue_usd","energy_kwh","cost","margin"},
// then {"summary":true,…}. Without it: a table and the summary.
import { selectRange } from '../economics/history.ts';
import { simulateDays, summarize, type WhatIfDay, type WhatIfInput, type WhatIfSummary } from '../economics/whatIf.ts';
import { formatTable } from '../fleet/format.ts';
import { EXIT } from '../lifecycle/exitCodes.ts';
import { numberOption, runCommand, type CommandSpec, type Parsed } from './args.ts';
import { EXIT_NOTES, fmt, HISTORY_OPTIONS, historyArgs, readHistory } from './historyOptions.ts';

export const economicsSpec: CommandSpec = {
  name: 'economics',
  summary: 'Revenue, energy cost and margin per day of a device or fleet over a history CSV (what it would have earned and spent), as a table, JSON lines or an SVG chart.',
  options: {
    ...HISTORY_OPTIONS,
    watts: { type: 'string', value: 'W', help: 'power drawn while hashing, in watts; default 0' },
    tariff: { type: 'string', value: 'PRICE_PER_KWH', help: 'electricity price in USD per kWh (the history\'s prices are USD); default 0' },
  },
  notes: [
    '--json: one line per day {"time","revenue_native","revenue_usd","energy_kwh","cost","margin"} (revenue before energy, after the pool fee), then {"summary":true,…}.',
    EXIT_NOTES,
    'example: hashling economics --history btc.csv --algo sha256d --hashrate 20M --watts 6.4 --tariff 0.30 --plot btc.svg',
  ].join('\n'),
};

function summaryText(s: WhatIfSummary): string {
  return [
    `${s.days} days ${s.from}..${s.to}, ${s.algo} at ${s.hashrate_hps} H/s, ${s.power_w} W, ${s.tariff} USD/kWh, pool fee ${s.pool_fee} (${s.payout})`,
    `revenue ${fmt(s.revenue_native)} coins = ${fmt(s.revenue_usd)} USD (${fmt(s.revenue_usd_per_day)}/day); energy ${fmt(s.energy_kwh)} kWh = ${fmt(s.cost)} USD (${fmt(s.cost_per_day)}/day)`,
    `margin ${fmt(s.margin)} USD (${fmt(s.margin_per_day)}/day), profitable on ${s.profitable_days} of ${s.days} days`,
    `break-even: coin price ${fmt(s.break_even_price_usd)} USD, tariff ${fmt(s.break_even_tariff)} USD/kWh`,
  ].join('\n');
}

function dayLine(r: WhatIfDay): string {
  // Key order fixed by the interface.
  return JSON.stringify({ time: r.time, revenue_native: r.revenue_native, revenue_usd: r.revenue_usd, energy_kwh: r.energy_kwh, cost: r.cost, margin: r.margin });
}

async function run(p: Parsed): Promise<number> {
  const a = historyArgs(p);
  const input: WhatIfInput = {
    algo: a.algo, hashrate_hps: a.hashrate_hps, pool_fee: a.pool_fee, payout: a.payout,
    power_w: numberOption(p, 'watts', 0, 0, 1e9), tariff: numberOption(p, 'tariff', 0, 0, 1e6),
  };
  const days = selectRange(readHistory(a.file), a.from, a.to);
  const rows = simulateDays(days, input);
  const summary = summarize(rows, input);
  if (a.json) {
    process.stdout.write(`${rows.map(dayLine).join('\n')}\n${JSON.stringify(summary)}\n`);
  } else {
    const table = formatTable(['DATE', 'REVENUE (coin)', 'REVENUE USD', 'kWh', 'COST USD', 'MARGIN USD'],
      rows.map((r) => [r.time, fmt(r.revenue_native), fmt(r.revenue_usd), fmt(r.energy_kwh), fmt(r.cost), fmt(r.margin)]));
    process.stdout.write(`${table}\n\n${summaryText(summary)}\n`);
  }
  if (a.plot) {
    // vega and vega-lite load here only, when a chart is asked for.
    const { economicsSpec: chart, writeSvg } = await import('../economics/plot.ts');
    await writeSvg(a.plot, chart(rows, `${a.algo} ${a.hashrate_hps} H/s, ${input.power_w} W at ${input.tariff} USD/kWh: revenue vs energy cost`));
    process.stderr.write(`wrote ${a.plot}\n`);
  }
  return EXIT.OK;
}

export function economicsCommand(argv: string[]): Promise<number> {
  return runCommand(economicsSpec, argv, run);
}
