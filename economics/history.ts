// Daily network history from a CSV file with a header row. The columns it needs
// (any order, others ignored) are those of Coin Metrics' community data
// (coinmetrics/data on GitHub: PriceUSD, DiffMean, IssTotNtv, FeeTotNtv,
// BlkCnt, renamed):
//   time             UTC day, YYYY-MM-DD
//   price_usd        coin price in USD at the end of the day
//   difficulty_mean  mean network difficulty of the day's blocks
//   issuance_native  new coins issued that day (the block subsidies)
//   fees_native      transaction fees paid that day, in coins
//   block_count      blocks mined that day
// `hashrate` (TH/s) is read when present, for cross-checks only.
import { HashlingError } from '../protocol/errors.ts';

export interface HistoryDay {
  time: string;
  price_usd: number;
  difficulty_mean: number;
  issuance_native: number;
  fees_native: number;
  block_count: number;
  /** Network hash rate, TH/s, when the file has it. */
  hashrate_ths: number | null;
}

export const REQUIRED_COLUMNS = ['time', 'price_usd', 'difficulty_mean', 'issuance_native', 'fees_native', 'block_count'] as const;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

function bad(msg: string): HashlingError {
  return new HashlingError('E_BAD_DATA', msg);
}

/** Splits one CSV line (RFC 4180 quoting, no embedded newlines). */
function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') quoted = false; else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { out.push(cur); cur = ''; } else cur += c;
  }
  out.push(cur);
  return out;
}

/**
 * Parses the whole file. Every problem is an E_BAD_DATA error naming the line and
 * column, so a user fixes a hand-made file in one look. Days must be strictly
 * increasing; gaps are allowed (a day without data is simply not simulated).
 */
export function parseHistoryCsv(text: string, name = 'history'): HistoryDay[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? '').map((h) => h.trim());
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) throw bad(`${name}: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (needs ${REQUIRED_COLUMNS.join(', ')}; see docs/economics.md)`);
  const col = (c: string) => header.indexOf(c);
  const hashrateCol = col('hashrate');
  const days: HistoryDay[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const cells = splitCsvLine(line);
    const at = `${name} line ${i + 1}`;
    const time = (cells[col('time')] ?? '').trim();
    if (!isDay(time)) throw bad(`${at}: time "${time}" is not YYYY-MM-DD`);
    const num = (c: string, positive: boolean): number => {
      const raw = (cells[col(c)] ?? '').trim();
      const v = raw === '' ? NaN : Number(raw);
      if (!Number.isFinite(v) || v < 0 || (positive && v === 0)) throw bad(`${at}: ${c} "${raw}" must be a number ${positive ? '> 0' : '≥ 0'}`);
      return v;
    };
    const day: HistoryDay = {
      time,
      price_usd: num('price_usd', true),
      difficulty_mean: num('difficulty_mean', true),
      issuance_native: num('issuance_native', false),
      fees_native: num('fees_native', false),
      block_count: num('block_count', true),
      hashrate_ths: hashrateCol >= 0 && (cells[hashrateCol] ?? '').trim() !== '' ? Number(cells[hashrateCol]) : null,
    };
    const prev = days[days.length - 1];
    if (prev && prev.time >= time) throw bad(`${at}: ${time} does not come after ${prev.time} (days must be in increasing order)`);
    days.push(day);
  }
  if (days.length === 0) throw bad(`${name}: no data rows`);
  return days;
}

/** True for a YYYY-MM-DD day that exists. */
export function isDay(s: string): boolean {
  if (!DATE_RE.test(s)) return false;
  // Date.parse rolls 2018-02-30 over to March; a real day reads back the same.
  const ms = Date.parse(`${s}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === s;
}

/**
 * Days within [from, to] (inclusive, YYYY-MM-DD; either may be omitted). A
 * range with no day of the file is the caller's mistake, not the file's: E_USAGE.
 */
export function selectRange(days: readonly HistoryDay[], from?: string, to?: string): HistoryDay[] {
  for (const [flag, v] of [['from', from], ['to', to]] as const) {
    if (v !== undefined && !isDay(v)) throw new HashlingError('E_USAGE', `--${flag} "${v}" is not YYYY-MM-DD`);
  }
  const out = days.filter((d) => (from === undefined || d.time >= from) && (to === undefined || d.time <= to));
  if (out.length === 0) throw new HashlingError('E_USAGE', `no history days between ${from ?? 'the start'} and ${to ?? 'the end'} (file covers ${days[0]?.time} to ${days[days.length - 1]?.time})`);
  return out;
}
