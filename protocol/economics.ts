// The economics part of the wire contract (docs/protocol.md, "Economics"):
// topic names, the market price parser, and the builders of what the
// coordinator publishes. Pure.
import { HashlingError } from './errors.ts';
import { isRecord } from './json.ts';

/** Retained price of a coin that anything may publish (a script, a Home Assistant automation). */
export function marketPriceTopic(base: string, coin: string): string {
  return `${base}/market/${coin}/price`;
}
export function economicsTopic(base: string): string {
  return `${base}/coordinator/economics`;
}
export function economicsDecisionTopic(base: string): string {
  return `${base}/coordinator/economics/decision`;
}
export function treasurySignalTopic(base: string): string {
  return `${base}/coordinator/treasury/signal`;
}

export interface MarketPrice {
  price: number;
  currency: string;
  /** When the publisher took the price (ms), or when it arrived if it gave none. */
  ts: number;
}

export const MAX_PRICE_PAYLOAD_BYTES = 4096;

/**
 * Validates `{"v":1,"price":64000.5,"currency":"USD","ts":1767225600000}`:
 * `v` (if present) 1, `price` a finite number > 0, `currency` the configured
 * ISO 4217 code (never converted), `ts` (optional, ms) not older than maxAgeMs
 * and not more than 5 minutes ahead. Anything else is an E_BAD_PRICE error.
 */
export function parseMarketPrice(payload: Uint8Array, expectCurrency: string, now: number, maxAgeMs: number): MarketPrice {
  const bad = (msg: string) => new HashlingError('E_BAD_PRICE', msg);
  if (payload.byteLength > MAX_PRICE_PAYLOAD_BYTES) throw bad(`price payload of ${payload.byteLength} bytes exceeds ${MAX_PRICE_PAYLOAD_BYTES}`);
  let o: unknown;
  try {
    o = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    throw bad('price payload is not UTF-8 JSON (expected {"v":1,"price":…,"currency":"USD","ts":…})');
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw bad('price payload must be a JSON object {"v":1,"price":…,"currency":"USD","ts":…}');
  const p = o as Record<string, unknown>;
  if (p.v !== undefined && p.v !== 1) throw bad(`unsupported price payload version ${JSON.stringify(p.v)}`);
  if (typeof p.price !== 'number' || !Number.isFinite(p.price) || p.price <= 0) throw bad(`price must be a number > 0, got ${JSON.stringify(p.price)}`);
  if (typeof p.currency !== 'string') throw bad('currency is missing (an ISO 4217 code such as "USD")');
  if (p.currency.toUpperCase() !== expectCurrency) throw bad(`price is in ${p.currency}, economics.currency is ${expectCurrency} (prices are never converted)`);
  let ts = now;
  if (p.ts !== undefined) {
    if (typeof p.ts !== 'number' || !Number.isFinite(p.ts) || p.ts < 0) throw bad('ts must be milliseconds since the epoch');
    if (p.ts > now + 300_000) throw bad(`ts ${p.ts} is in the future`);
    ts = p.ts;
  }
  if (now - ts > maxAgeMs) throw bad(`price from ${new Date(ts).toISOString()} is older than ${Math.round(maxAgeMs / 1000)} s`);
  return { price: p.price, currency: expectCurrency, ts };
}

export interface TreasurySignal {
  policy: string;
  action: 'hold' | 'sell';
  fraction: number;
  reason: string;
  price: number | null;
  currency: string;
}

export function treasurySignalPayload(s: TreasurySignal, ts: number): string {
  return JSON.stringify({ v: 1, ...s, ts });
}

export interface EconomicsDecision {
  device: string;
  action: 'pause' | 'resume' | 'budget';
  /** max_cpu_percent sent with budget/set (budget policy). */
  max_cpu_percent?: number;
  policy: string;
  revenue_per_day: number | null;
  cost_per_day: number;
  reason: string;
}

export function decisionPayload(d: EconomicsDecision, ts: number): string {
  return JSON.stringify({ v: 1, ...d, ts });
}

/**
 * Above this the economics message is refused by its readers before JSON.parse:
 * each device takes under 1 KB, so 8 MiB holds a fleet of several thousand.
 */
export const MAX_ECONOMICS_BYTES = 8 * 1024 * 1024;

export interface MoneyPerDay {
  revenue_per_day: number | null;
  cost_per_day: number | null;
}

/** What the operator's views read from `<base>/coordinator/economics`. */
export interface EconomicsSummary {
  currency: string;
  fleet: MoneyPerDay & { margin_per_day: number | null };
  devices: ReadonlyMap<string, MoneyPerDay>;
}

const money = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** Reads the figures of an economics message; null when it is not one (no currency, not an object). */
export function parseEconomicsSummary(body: unknown): EconomicsSummary | null {
  if (!isRecord(body) || body.v !== 1 || typeof body.currency !== 'string') return null;
  const fleet = isRecord(body.fleet) ? body.fleet : {};
  const devices = new Map<string, MoneyPerDay>();
  if (isRecord(body.devices)) {
    for (const [id, d] of Object.entries(body.devices)) {
      if (isRecord(d)) devices.set(id, { revenue_per_day: money(d.revenue_per_day), cost_per_day: money(d.cost_per_day) });
    }
  }
  return {
    currency: body.currency,
    fleet: { revenue_per_day: money(fleet.revenue_per_day), cost_per_day: money(fleet.cost_per_day), margin_per_day: money(fleet.margin_per_day) },
    devices,
  };
}
