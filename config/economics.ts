// Section `economics`: what the coordinator's earnings model, energy costs,
// profit-aware control and treasury signal use (economics/, docs/economics.md).
import type { SectionSpec } from './schema.ts';
import { tariffWindowProblems, type TariffWindow } from '../economics/tariff.ts';
import { POLICY_NAMES, type PolicyName } from '../economics/treasury/policies.ts';
import type { PayoutScheme } from '../economics/earnings.ts';

function fraction(val: unknown): void {
  if (typeof val !== 'number' || !(val >= 0 && val < 1)) throw new Error('must be a fraction in [0, 1)');
}
function nonNegative(val: unknown): void {
  if (typeof val !== 'number' || !Number.isFinite(val) || val < 0) throw new Error('must be a number ≥ 0');
}
function positive(val: unknown): void {
  if (typeof val !== 'number' || !Number.isFinite(val) || val <= 0) throw new Error('must be a number > 0');
}
function coin(val: unknown): void {
  if (typeof val !== 'string' || !/^[a-z0-9_-]{1,32}$/.test(val)) throw new Error('must be a lowercase coin symbol such as btc ([a-z0-9_-], it is a topic level)');
}
function currency(val: unknown): void {
  if (typeof val !== 'string' || !/^[A-Z]{3}$/.test(val)) throw new Error('must be an ISO 4217 code such as USD or EUR');
}
function windows(val: unknown): void {
  const p = tariffWindowProblems(val);
  if (p.length > 0) throw new Error(p.join('; '));
}
function params(val: unknown): void {
  if (typeof val !== 'object' || val === null || Array.isArray(val) || !Object.values(val).every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new Error('must be a JSON object of numbers, e.g. {"every":7,"fraction":0.25}');
  }
}

export const economics: SectionSpec = {
  coin: { doc: 'Coin the pool pays in; names the price topic <base>/market/<coin>/price. btc and ltc also give the subsidy from the block height (PPS).', format: coin, default: 'btc' },
  currency: { doc: 'Currency of the tariff and of every price, cost and revenue (ISO 4217). A market price in another currency is refused, never converted.', format: currency, default: 'USD' },
  price: { doc: 'Coin price in economics.currency used when no valid retained price is on <base>/market/<coin>/price; 0 = none (revenue "unknown").', format: nonNegative, default: 0 },
  price_max_age_s: { doc: 'A market price whose ts is older than this is stale and not used (s).', format: positive, default: 3600 },
  tariff_per_kwh: { doc: 'Electricity price per kWh outside every tariff window (the flat tariff), in economics.currency.', format: nonNegative, default: 0 },
  tariff_windows: {
    doc: 'Time-of-use prices: JSON array of {days?:["mon",…], from:"HH:MM", to:"HH:MM", price_per_kwh}; local time of the coordinator (TZ); first match wins; to < from wraps midnight.',
    format: windows, default: [] as TariffWindow[],
  },
  pool_fee: { doc: 'Pool fee as a fraction (0.02 = 2 %).', format: fraction, default: 0 },
  payout: { doc: 'Pool payout scheme: fpps (subsidy + fees), pps (subsidy only), pplns (long-run mean = fpps).', format: ['fpps', 'pps', 'pplns'], default: 'fpps' },
  block_reward: { doc: 'Coins per block (subsidy + fees) when the job\'s coinbase cannot be read; 0 = from the coinbase only.', format: nonNegative, default: 0 },
  period_s: { doc: 'Seconds between <base>/coordinator/economics messages and policy decisions.', format: positive, default: 60 },
  policy: { doc: 'Profit-aware control: off, pause_when_unprofitable (pause/resume devices), budget (lower devices to keep the fleet\'s loss under max_loss_per_day).', format: ['off', 'pause_when_unprofitable', 'budget'], default: 'off' },
  hysteresis: { doc: 'Band around break-even: pause when revenue < cost × (1 − h), resume when revenue > cost × (1 + h).', format: fraction, default: 0.1 },
  min_hold_s: { doc: 'A device keeps a policy decision at least this long before the next one (s), on top of the hysteresis band.', format: nonNegative, default: 300 },
  max_loss_per_day: { doc: 'budget policy: the fleet\'s largest accepted loss per day (economics.currency).', format: nonNegative, default: 0 },
  treasury_policy: { doc: 'Sell policy whose signal is published on <base>/coordinator/treasury/signal: hold, sell-on-receipt, dca, ma, zscore.', format: [...POLICY_NAMES], default: 'hold' },
  treasury_params: { doc: 'Parameters of the treasury policy, JSON object (dca: every, fraction; ma: short, long, fraction; zscore: window, z, fraction).', format: params, default: {} },
};

/** The typed `economics` section. */
export interface EconomicsConfig {
  coin: string;
  currency: string;
  price: number;
  price_max_age_s: number;
  tariff_per_kwh: number;
  tariff_windows: TariffWindow[];
  pool_fee: number;
  payout: PayoutScheme;
  block_reward: number;
  period_s: number;
  policy: 'off' | 'pause_when_unprofitable' | 'budget';
  hysteresis: number;
  min_hold_s: number;
  max_loss_per_day: number;
  treasury_policy: PolicyName;
  treasury_params: Record<string, number>;
}
