// The options `hashling economics` and `hashling treasury backtest` share: a
// history CSV, the algorithm and hashrate of the device or fleet, the pool's
// terms, a date range, and the outputs (JSON lines, an SVG chart).
import { readFileSync } from 'node:fs';
import { PAYOUT_SCHEMES, type PayoutScheme } from '../config/economics.ts';
import { MINING_ALGOS, type MiningAlgo } from '../economics/hashUnits.ts';
import { isDay, parseHistoryCsv, type HistoryDay } from '../economics/history.ts';
import { EXIT } from '../lifecycle/exitCodes.ts';
import { HashlingError } from '../protocol/errors.ts';
import { choiceOption, numberOption, type OptionSpec, type Parsed } from './args.ts';

export const HISTORY_OPTIONS: Record<string, OptionSpec> = {
  history: { type: 'string', value: 'FILE', help: 'daily history CSV: time, price_usd, difficulty_mean, issuance_native, fees_native, block_count (docs/economics.md)' },
  algo: { type: 'string', value: 'sha256d|scrypt', help: 'the algorithm mined' },
  hashrate: { type: 'string', value: 'HPS', help: 'hashes per second of the device or fleet: 20000000, 2e7 or 20M (SI prefixes k M G T P E)' },
  'pool-fee': { type: 'string', value: 'F', help: 'pool fee as a fraction in [0, 1), e.g. 0.02; default 0' },
  payout: { type: 'string', value: 'fpps|pps|pplns', help: 'pool payout scheme (pps leaves the fees to the pool); default fpps' },
  from: { type: 'string', value: 'YYYY-MM-DD', help: 'first day (default: the file\'s first)' },
  to: { type: 'string', value: 'YYYY-MM-DD', help: 'last day (default: the file\'s last)' },
  json: { type: 'boolean', help: 'one JSON object per line instead of a table' },
  plot: { type: 'string', value: 'FILE.svg', help: 'also draw a chart to this SVG file' },
};

/** The exit codes both commands document in their help. */
export const EXIT_NOTES = `exit codes: ${EXIT.OK} done, ${EXIT.USAGE} usage (unknown flag, bad value, unreadable --history, a range outside the file), `
  + `${EXIT.DATA} bad data (E_BAD_DATA: a history line that cannot be used, named with its line number).`;

function usage(message: string): HashlingError {
  return new HashlingError('E_USAGE', message);
}

const SI: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** "20000000", "2e7" or "20M" (SI prefixes k M G T P E) → hashes per second. */
export function parseHashrate(raw: string): number {
  const m = /^([0-9]*\.?[0-9]+(?:[eE][+-]?\d+)?)\s*([kKMGTPE]?)(?:H\/s)?$/.exec(raw.trim());
  const v = m ? Number(m[1]) * SI[m[2]] : NaN;
  if (!Number.isFinite(v) || v <= 0) throw usage(`--hashrate "${raw}" must be hashes per second > 0 (e.g. 20000000, 2e7 or 20M)`);
  return v;
}

/** A fraction in [0, 1) (fees, slippage): a fee of 1 would take everything. */
export function fractionOption(p: Parsed, name: string): number {
  const v = numberOption(p, name, 0, 0, 1);
  if (v >= 1) throw usage(`--${name} must be a fraction in [0, 1) (got ${JSON.stringify(p.values[name])})`);
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

function stringOption(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function historyArgs(p: Parsed): HistoryArgs {
  const file = stringOption(p, 'history');
  if (file === undefined) throw usage('--history FILE is required (a CSV with time, price_usd, difficulty_mean, issuance_native, fees_native, block_count)');
  if (p.values.algo === undefined) throw usage('--algo sha256d|scrypt is required');
  const hashrate = stringOption(p, 'hashrate');
  if (hashrate === undefined) throw usage('--hashrate HPS is required');
  const from = stringOption(p, 'from');
  const to = stringOption(p, 'to');
  for (const [flag, v] of [['from', from], ['to', to]] as const) {
    if (v !== undefined && !isDay(v)) throw usage(`--${flag} "${v}" is not YYYY-MM-DD`);
  }
  const plot = stringOption(p, 'plot');
  if (plot !== undefined && !plot.toLowerCase().endsWith('.svg')) throw usage('--plot FILE must end in .svg');
  return {
    file, algo: choiceOption(p, 'algo', MINING_ALGOS, 'sha256d'), hashrate_hps: parseHashrate(hashrate),
    pool_fee: fractionOption(p, 'pool-fee'), payout: choiceOption(p, 'payout', PAYOUT_SCHEMES, 'fpps'),
    ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}),
    json: p.values.json === true, ...(plot !== undefined ? { plot } : {}),
  };
}

/** Reads and checks the whole history file: unreadable is E_USAGE (64), a bad line E_BAD_DATA (65). */
export function readHistory(file: string): HistoryDay[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw usage(`cannot read --history ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseHistoryCsv(text, file);
}

/** Short human form: 2 decimals from 1 up, else 4 significant digits. */
export function fmt(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return '-';
  if (x === 0) return '0';
  return Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(4);
}
