// `hashling economics`: what a device or fleet would have earned and spent over
// a history file (docs/economics.md).
//
//   hashling economics --history FILE --algo sha256d|scrypt --hashrate HPS [--watts W]
//     [--tariff PRICE_PER_KWH] [--pool-fee F] [--payout fpps|pps|pplns]
//     [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json] [--plot FILE.svg]
//
// --json: one line per day {"time","revenue_native","revenue_usd","energy_kwh","cost","margin"},
// then {"summary":true,…}. Without it: a table and the summary.
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PAYOUT_SCHEMES, type PayoutScheme } from '../economics/earnings.ts';
import { isMiningAlgo, type MiningAlgo } from '../economics/hashUnits.ts';
import { parseHistoryCsv, selectRange, type HistoryDay } from '../economics/history.ts';
import { simulateDays, summarize, type WhatIfDay, type WhatIfInput, type WhatIfSummary } from '../economics/whatIf.ts';
import { formatTable } from '../fleet/view.ts';
import { toHashlingError } from '../protocol/errors.ts';

export const EXIT_USAGE = 64;
export const EXIT_DATA = 65;

/** A usage problem: printed with the command's usage line, exit 64. */
export class UsageError extends Error {}

/** The flags every history command shares. */
export const HISTORY_FLAGS = {
  history: { type: 'string' },
  algo: { type: 'string' },
  hashrate: { type: 'string' },
  'pool-fee': { type: 'string' },
  payout: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  json: { type: 'boolean' },
  plot: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

const SI: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** "20000000", "2e7" or "20M" (SI prefixes k M G T P E) → hashes per second. */
export function parseHashrate(raw: string): number {
  const m = /^([0-9]*\.?[0-9]+(?:[eE][+-]?\d+)?)\s*([kKMGTPE]?)(?:H\/s)?$/.exec(raw.trim());
  const v = m ? Number(m[1]) * SI[m[2]!]! : NaN;
  if (!Number.isFinite(v) || v <= 0) throw new UsageError(`--hashrate "${raw}" must be hashes per second > 0 (e.g. 20000000, 2e7 or 20M)`);
  return v;
}

/** A number flag within [min, max) (max exclusive when `open`). */
export function numberFlag(name: string, raw: string | undefined, dflt: number, min: number, max = Infinity, open = false): number {
  if (raw === undefined) return dflt;
  const v = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(v) || v < min || (open ? v >= max : v > max)) {
    throw new UsageError(`--${name} "${raw}" must be a number ${max === Infinity ? `≥ ${min}` : `in [${min}, ${max}${open ? ')' : ']'}`}`);
  }
  return v;
}

export interface HistoryArgs {
  file: string;
  algo: MiningAlgo;
  hashrate_hps: number;
  pool_fee: number;
  payout: PayoutScheme;
  from?: string;
  to?: string;
  json: boolean;
  plot?: string;
}

export function historyArgs(v: Record<string, string | boolean | undefined>): HistoryArgs {
  if (typeof v.history !== 'string') throw new UsageError('--history FILE is required (a CSV with time, price_usd, difficulty_mean, issuance_native, fees_native, block_count)');
  if (!isMiningAlgo(v.algo)) throw new UsageError(`--algo must be sha256d or scrypt${v.algo === undefined ? '' : `, got "${String(v.algo)}"`}`);
  if (typeof v.hashrate !== 'string') throw new UsageError('--hashrate HPS is required');
  const payout = (v.payout ?? 'fpps') as PayoutScheme;
  if (!PAYOUT_SCHEMES.includes(payout)) throw new UsageError(`--payout must be one of ${PAYOUT_SCHEMES.join(', ')}`);
  if (typeof v.plot === 'string' && !v.plot.toLowerCase().endsWith('.svg')) throw new UsageError('--plot FILE must end in .svg');
  return {
    file: v.history, algo: v.algo, hashrate_hps: parseHashrate(v.hashrate), payout,
    pool_fee: numberFlag('pool-fee', v['pool-fee'] as string | undefined, 0, 0, 1, true),
    from: v.from as string | undefined, to: v.to as string | undefined, json: v.json === true, plot: v.plot as string | undefined,
  };
}

/** Reads and validates the whole history file (E_CONFIG errors name the line). */
export function readHistory(file: string): HistoryDay[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --history ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseHistoryCsv(text, file);
}

/** Short human form: 2 decimals from 1 up, else 4 significant digits. */
export function fmt(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return '-';
  if (x === 0) return '0';
  return Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(4);
}

/** Runs a command body with one catch point: usage → 64, bad data → 65. */
export async function runCli(usage: string, name: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || (err as { code?: string }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      process.stderr.write(`hashling ${name}: ${(err as Error).message}\n${usage}`);
      return EXIT_USAGE;
    }
    if (err instanceof RangeError) {
      process.stderr.write(`hashling ${name}: ${err.message}\n`);
      return EXIT_USAGE;
    }
    const e = toHashlingError(err);
    process.stderr.write(`hashling ${name}: ${e.code} ${e.message}\n`);
    return EXIT_DATA;
  }
}

const USAGE = 'usage: hashling economics --history FILE --algo sha256d|scrypt --hashrate HPS [--watts W] [--tariff PRICE_PER_KWH] [--pool-fee F]\n'
  + '         [--payout fpps|pps|pplns] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json] [--plot FILE.svg]\n';

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

export async function economicsCommand(argv: string[]): Promise<number> {
  return runCli(USAGE, 'economics', async () => {
    const { values } = parseArgs({ args: argv, options: { ...HISTORY_FLAGS, watts: { type: 'string' }, tariff: { type: 'string' } }, strict: true, allowPositionals: false });
    if (values.help) { process.stdout.write(USAGE); return 0; }
    const a = historyArgs(values);
    const input: WhatIfInput = {
      algo: a.algo, hashrate_hps: a.hashrate_hps, pool_fee: a.pool_fee, payout: a.payout,
      power_w: numberFlag('watts', values.watts, 0, 0), tariff: numberFlag('tariff', values.tariff, 0, 0),
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
      const { economicsSpec, writeSvg } = await import('../economics/plot.ts');
      await writeSvg(a.plot, economicsSpec(rows, `${a.algo} ${a.hashrate_hps} H/s, ${input.power_w} W at ${input.tariff} USD/kWh: revenue vs energy cost`));
      process.stderr.write(`wrote ${a.plot}\n`);
    }
    return 0;
  });
}
