// Section `economics`: what the coordinator's earnings model, energy costs,
// profit-aware control and treasury signal use (coordinator/economics.ts,
// economics/, docs/economics.md).
//
// No key is remote: these are the coordinator operator's policy, and the
// coordinator has no config/set. On an agent the section is unused, and letting
// a config/set write it there would only put numbers in a device's file that
// nothing reads.
import { coinSymbol, currencyCode, fraction, json, numberIn, oneOf } from './formats.ts';
import { key } from './spec.ts';
import { tariffWindowProblems, type TariffWindow } from './tariff.ts';
import { TREASURY_POLICIES, treasuryParamsShapeProblems, type TreasuryParams } from './treasury.ts';

/** Pool payout schemes the earnings model knows (economics/earnings.ts). */
export const PAYOUT_SCHEMES = ['pps', 'fpps', 'pplns'] as const;
export type PayoutScheme = (typeof PAYOUT_SCHEMES)[number];

/** Profit-aware control policies (economics/profitControl.ts). */
export const PROFIT_POLICIES = ['off', 'pause_when_unprofitable', 'budget'] as const;
export type ProfitPolicy = (typeof PROFIT_POLICIES)[number];

/** Amounts of money and prices: any size a real currency needs, never negative. */
const money = numberIn(0, 1e15);

export const economics = {
  coin: key({ doc: 'Coin the pool pays in; names the price topic <base>/market/<coin>/price. btc and ltc also give the subsidy from the block height (PPS).', format: coinSymbol, default: 'btc' }),
  currency: key({ doc: 'Currency of the tariff and of every price, cost and revenue (ISO 4217). A market price in another currency is refused, never converted.', format: currencyCode, default: 'USD' }),
  price: key({ doc: 'Coin price in economics.currency used when no valid retained price is on <base>/market/<coin>/price; 0 = none (revenue "unknown").', format: money, default: 0 }),
  price_max_age_s: key({ doc: 'A market price whose ts is older than this is stale and not used (s).', format: numberIn(0, 366 * 86_400, true), default: 3600 }),
  tariff_per_kwh: key({ doc: 'Electricity price per kWh outside every tariff window (the flat tariff), in economics.currency.', format: money, default: 0 }),
  tariff_windows: key<TariffWindow[]>({
    doc: 'Time-of-use prices: JSON array of {days?:["mon",…], from:"HH:MM", to:"HH:MM", price_per_kwh}; local time of the coordinator (TZ); first match wins; to < from wraps midnight.',
    format: json<TariffWindow[]>('tariff-windows', tariffWindowProblems), default: [],
  }),
  pool_fee: key({ doc: 'Pool fee as a fraction (0.02 = 2 %).', format: fraction, default: 0 }),
  payout: key({ doc: 'Pool payout scheme: fpps (subsidy + fees), pps (subsidy only), pplns (long-run mean = fpps).', format: oneOf(PAYOUT_SCHEMES), default: 'fpps' }),
  block_reward: key({ doc: 'Coins per block (subsidy + fees) when the job\'s coinbase cannot be read; 0 = from the coinbase only.', format: numberIn(0, 1e12), default: 0 }),
  period_s: key({ doc: 'Seconds between <base>/coordinator/economics messages and policy decisions.', format: numberIn(0, 86_400, true), default: 60 }),
  policy: key({ doc: 'Profit-aware control: off, pause_when_unprofitable (pause/resume devices), budget (lower devices to keep the fleet\'s loss under max_loss_per_day).', format: oneOf(PROFIT_POLICIES), default: 'off' }),
  hysteresis: key({ doc: 'Band around break-even: pause when revenue < cost × (1 − h), resume when revenue > cost × (1 + h).', format: fraction, default: 0.1 }),
  min_hold_s: key({ doc: 'A device keeps a policy decision at least this long before the next one (s), on top of the hysteresis band.', format: numberIn(0, 30 * 86_400), default: 300 }),
  max_loss_per_day: key({ doc: 'budget policy: the fleet\'s largest accepted loss per day (economics.currency).', format: money, default: 0 }),
  treasury_policy: key({ doc: `Sell policy whose signal is published on <base>/coordinator/treasury/signal: ${TREASURY_POLICIES.join(', ')}.`, format: oneOf(TREASURY_POLICIES), default: 'hold' }),
  treasury_params: key<TreasuryParams>({
    doc: 'Parameters of the treasury policy, JSON object (dca: every, fraction; ma: short, long, fraction; zscore: window, z, fraction); the policy\'s defaults fill the rest.',
    format: json<TreasuryParams>('treasury-params', treasuryParamsShapeProblems), default: {},
  }),
};
