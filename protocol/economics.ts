// The economics part of the wire contract (docs/protocol.md, "Economics"): the
// market price anything may publish, what the coordinator's economics component
// reads from device telemetry and state, and the payloads it publishes (the
// economics message, each control decision, the treasury signal). Topics:
// protocol/topics.ts. Pure.
import { HashlingError } from './errors.ts';
import { isRecord, parseWireJson } from './json.ts';

// --- the market price: <base>/market/<coin>/price ---

export interface MarketPrice {
  price: number;
  currency: string;
  /** When the publisher took the price (ms), or when it arrived if it gave none. */
  ts: number;
}

/** A price is a few dozen bytes; anything above this is refused before JSON.parse. */
export const MAX_PRICE_PAYLOAD_BYTES = 4096;

/** How far ahead of the coordinator's clock a price's ts may be (publishers' clocks drift). */
const FUTURE_SLACK_MS = 300_000;

/**
 * Validates `{"v":1,"price":64000.5,"currency":"USD","ts":1767225600000}`:
 * `v` (if present) 1, `price` a finite number > 0, `currency` the configured
 * ISO 4217 code (never converted), `ts` (optional, ms) not older than maxAgeMs
 * and not more than 5 minutes ahead. Anything published on the topic is input
 * from the wire: the size is capped and prototype keys refused (parseWireJson:
 * E_TOO_LARGE, E_BAD_JSON, E_FORBIDDEN_KEY); a JSON payload that is not a valid
 * price is E_BAD_PRICE.
 */
export function parseMarketPrice(payload: Buffer | string, expectCurrency: string, now: number, maxAgeMs: number): MarketPrice {
  const bad = (msg: string) => new HashlingError('E_BAD_PRICE', msg);
  const o = parseWireJson(payload, MAX_PRICE_PAYLOAD_BYTES, 'price payload');
  if (!isRecord(o)) throw bad('price payload must be a JSON object {"v":1,"price":…,"currency":"USD","ts":…}');
  if (o.v !== undefined && o.v !== 1) throw bad(`unsupported price payload version ${JSON.stringify(o.v)}`);
  if (typeof o.price !== 'number' || !Number.isFinite(o.price) || o.price <= 0) throw bad(`price must be a number > 0, got ${JSON.stringify(o.price)}`);
  if (typeof o.currency !== 'string') throw bad('currency is missing (an ISO 4217 code such as "USD")');
  if (o.currency.toUpperCase() !== expectCurrency) throw bad(`price is in ${o.currency}, economics.currency is ${expectCurrency} (prices are never converted)`);
  let ts = now;
  if (o.ts !== undefined) {
    if (typeof o.ts !== 'number' || !Number.isFinite(o.ts) || o.ts < 0) throw bad('ts must be milliseconds since the epoch');
    if (o.ts > now + FUTURE_SLACK_MS) throw bad(`ts ${o.ts} is in the future`);
    ts = o.ts;
  }
  if (now - ts > maxAgeMs) throw bad(`price from ${new Date(ts).toISOString()} is older than ${Math.round(maxAgeMs / 1000)} s`);
  return { price: o.price, currency: expectCurrency, ts };
}

// --- what the economics component reads from devices ---

/** Device telemetry and state are a few KB; the same cap as `info` on the coordinator's share path. */
export const MAX_DEVICE_REPORT_BYTES = 16 * 1024;

/** The largest power a device may report and be believed (W): a Pi draws under 15 W. */
const MAX_POWER_W = 100_000;

export interface PowerReading {
  power_w: number;
  /** "model" when modelled, a sensor name when measured; "unknown" when the device did not say. */
  power_source: string;
}

/** `power_w` and `power_source` of a telemetry message; null when it has no believable power. */
export function powerFromTelemetry(payload: Buffer | string): PowerReading | null {
  const o = parseWireJson(payload, MAX_DEVICE_REPORT_BYTES, 'telemetry');
  if (!isRecord(o)) return null;
  const p = o.power_w;
  if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > MAX_POWER_W) return null;
  return { power_w: p, power_source: typeof o.power_source === 'string' ? o.power_source : 'unknown' };
}

export interface BudgetState {
  /** The agent's mode (idle, hashing, paused, throttled); null when absent. */
  mode: string | null;
  /** budget.max_cpu_percent the device runs with now, from its setpoints (max_level / threads); null when absent. */
  max_cpu_percent: number | null;
}

/** What profit control needs from a retained `state` message; null when it is not an object. */
export function budgetFromState(payload: Buffer | string): BudgetState | null {
  const o = parseWireJson(payload, MAX_DEVICE_REPORT_BYTES, 'state');
  if (!isRecord(o)) return null;
  const sp = isRecord(o.setpoints) ? o.setpoints : null;
  const level = sp?.max_level;
  const threads = o.threads;
  const pct = typeof level === 'number' && Number.isFinite(level) && level >= 0 && typeof threads === 'number' && threads > 0
    ? Math.round(Math.min(100, (level / threads) * 100)) : null;
  return { mode: typeof o.mode === 'string' ? o.mode : null, max_cpu_percent: pct };
}

// --- what the coordinator publishes ---

/** The `<base>/coordinator/economics` message: the snapshot (economics/live.ts) with the policy in force. */
export function economicsPayload(snapshot: Record<string, unknown>, policy: string, ts: number): string {
  return JSON.stringify({ v: 1, ts, policy, ...snapshot });
}

/**
 * Above this the economics message is refused by its readers before JSON.parse:
 * each device takes under 1 KB, so 8 MiB holds a fleet of several thousand.
 */
export const MAX_ECONOMICS_BYTES = 8 * 1024 * 1024;

/** What profit control has done to a device (the economics message's per-device `policy`). */
export interface PolicyState {
  paused: boolean;
  /** max_cpu_percent it set with budget/set, null when it did not lower the device. */
  max_cpu_percent: number | null;
}

/** A held message is a few dozen bytes. */
export const MAX_HELD_BYTES = 1024;

/** The retained `<base>/coordinator/economics/held/<id>` message. */
export function heldPayload(p: PolicyState, ts: number): string {
  return JSON.stringify({ v: 1, paused: p.paused, max_cpu_percent: p.max_cpu_percent, ts });
}

/**
 * Reads a held message (a restarted coordinator gives back what an earlier run
 * took); null when it holds nothing (empty: cleared) or is not one.
 */
export function parseHeld(payload: Buffer | string): PolicyState | null {
  if (payload.length === 0) return null;
  const o = parseWireJson(payload, MAX_HELD_BYTES, 'held message');
  if (!isRecord(o) || o.v !== 1) return null;
  const pct = typeof o.max_cpu_percent === 'number' && Number.isFinite(o.max_cpu_percent) && o.max_cpu_percent >= 0 && o.max_cpu_percent <= 100 ? o.max_cpu_percent : null;
  if (o.paused !== true && pct === null) return null;
  return { paused: o.paused === true, max_cpu_percent: pct };
}

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

/** One `<base>/coordinator/economics/decision` message. */
export function decisionPayload(d: EconomicsDecision, ts: number): string {
  return JSON.stringify({ v: 1, ...d, ts });
}

export interface TreasurySignal {
  policy: string;
  action: 'hold' | 'sell';
  fraction: number;
  reason: string;
  price: number | null;
  currency: string;
}

/** The retained `<base>/coordinator/treasury/signal` message. */
export function treasurySignalPayload(s: TreasurySignal, ts: number): string {
  return JSON.stringify({ v: 1, ...s, ts });
}
