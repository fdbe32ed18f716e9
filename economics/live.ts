// The coordinator's live economics, as a pure function of what it knows now:
// each device's verified hashrate and telemetry power, the network difficulty
// (from the job's nBits), the block reward (from the job's coinbase, else
// config), the coin price (retained MQTT topic, else config, else unknown) and
// the tariff in force. Every "per day" figure is a rate at this moment: today's
// hashrate and power at the tariff of this hour, times 24 h.
import { expectedCoins, expectedCoinsPerDay, type BlockReward, type PayoutTerms } from './earnings.ts';
import { basisOf, kwhPerDay, type EnergyBasis } from './energy.ts';
import { profitability, type Profitability } from './profitability.ts';

export interface NetworkView {
  difficulty: number | null;
  nbits: string | null;
  /** Coins per block; `subsidy` alone for PPS. */
  reward: BlockReward | null;
  reward_source: 'coinbase' | 'config' | null;
  height: number | null;
}

export type PriceStatus = 'ok' | 'unknown' | 'stale' | 'invalid';

export interface PriceView {
  value: number | null;
  source: 'mqtt' | 'config' | null;
  status: PriceStatus;
  /** Why the MQTT price is not used, when it is not. */
  detail: string | null;
  ts: number | null;
}

export interface DeviceView {
  id: string;
  online: boolean;
  /** The agent's mode from its retained state (hashing, paused, throttled, idle). */
  mode: string | null;
  /** Verified hashrate now (H/s). */
  hashrate_hps: number;
  /** Verified hashrate the last time it was hashing unpaused: what resuming it would bring. */
  capacity_hps: number;
  power_w: number | null;
  power_source: string | null;
  /** Last power seen while hashing: what resuming it would cost. */
  hashing_power_w: number | null;
  measured_kwh: number;
  modelled_kwh: number;
  energy_cost: number;
  earned_coins: number;
  pool_earned_coins: number;
  /** What the profit policy did to it: null (nothing), "paused", or the max_cpu_percent it set. */
  policy: { paused: boolean; max_cpu_percent: number | null } | null;
}

export interface DeviceEconomics extends Profitability {
  state: 'online' | 'offline';
  mode: string | null;
  hashrate_hps: number;
  power_w: number | null;
  power_source: string | null;
  kwh_per_day: number | null;
  coins_per_day: number | null;
  /** The same figures if it hashed at capacity now (what profit control compares). */
  hashing: { hashrate_hps: number; power_w: number | null; revenue_per_day: number | null; cost_per_day: number | null };
  energy: { kwh: number; basis: EnergyBasis; cost: number };
  earned: { coins: number; pool_coins: number; value: number | null };
  policy: DeviceView['policy'];
}

export interface EconomicsInputs {
  coin: string;
  currency: string;
  terms: PayoutTerms;
  period_s: number;
  tariff: { price_per_kwh: number; window: number | null };
  network: NetworkView;
  price: PriceView;
  devices: readonly DeviceView[];
}

const r6 = (x: number | null) => (x === null || !Number.isFinite(x) ? x : Number(x.toPrecision(6)));

function rounded<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? r6(v) : v])) as T;
}

/** Coins per day at `hps` now, null when the network or reward is unknown. */
export function coinsPerDayNow(n: NetworkView, terms: PayoutTerms, hps: number): number | null {
  if (n.difficulty === null || n.reward === null) return null;
  return expectedCoinsPerDay(hps, n.difficulty, n.reward, terms);
}

/** Coins a number of verified hashes earns at the network state now. */
export function coinsForHashes(n: NetworkView, terms: PayoutTerms, hashes: number): number | null {
  if (n.difficulty === null || n.reward === null) return null;
  return expectedCoins(hashes, n.difficulty, n.reward, terms);
}

export function deviceEconomics(d: DeviceView, i: EconomicsInputs): DeviceEconomics {
  const price = i.price.value;
  const hps = d.online ? d.hashrate_hps : 0;
  const coins = coinsPerDayNow(i.network, i.terms, hps);
  const kwh = d.online && d.power_w !== null ? kwhPerDay(d.power_w) : d.online ? null : 0;
  const p = profitability({ coins_per_day: coins ?? 0, kwh_per_day: kwh ?? 0, price: coins === null ? null : price, price_per_kwh: i.tariff.price_per_kwh });
  const runCoins = coinsPerDayNow(i.network, i.terms, d.capacity_hps);
  const runPower = d.hashing_power_w ?? d.power_w;
  return {
    state: d.online ? 'online' : 'offline', mode: d.mode, hashrate_hps: Math.round(hps), power_w: d.power_w, power_source: d.power_source,
    kwh_per_day: r6(kwh), coins_per_day: r6(coins),
    ...rounded({ ...p, cost_per_day: kwh === null ? null : p.cost_per_day }) as Profitability,
    hashing: rounded({
      hashrate_hps: Math.round(d.capacity_hps), power_w: runPower,
      revenue_per_day: runCoins === null || price === null ? null : runCoins * price,
      cost_per_day: runPower === null ? null : kwhPerDay(runPower) * i.tariff.price_per_kwh,
    }),
    energy: { kwh: r6(d.measured_kwh + d.modelled_kwh)!, basis: basisOf(d.measured_kwh, d.modelled_kwh), cost: r6(d.energy_cost)! },
    earned: { coins: r6(d.earned_coins)!, pool_coins: r6(d.pool_earned_coins)!, value: price === null ? null : r6(d.earned_coins * price) },
    policy: d.policy,
  };
}

/** The `<base>/coordinator/economics` payload (without v/ts). */
export function economicsSnapshot(i: EconomicsInputs): Record<string, unknown> {
  const devices: Record<string, DeviceEconomics> = {};
  let hps = 0;
  let power = 0;
  let powerKnown = true;
  let online = 0;
  for (const d of i.devices) {
    const e = deviceEconomics(d, i);
    devices[d.id] = e;
    if (!d.online) continue;
    online++;
    hps += d.hashrate_hps;
    if (d.power_w === null) powerKnown = false;
    else power += d.power_w;
  }
  const coins = coinsPerDayNow(i.network, i.terms, hps);
  const kwh = kwhPerDay(power);
  const p = profitability({ coins_per_day: coins ?? 0, kwh_per_day: kwh, price: coins === null ? null : i.price.value, price_per_kwh: i.tariff.price_per_kwh });
  return {
    coin: i.coin, currency: i.currency, period_s: i.period_s,
    network: i.network,
    price: i.price,
    tariff: { price_per_kwh: i.tariff.price_per_kwh, window: i.tariff.window },
    payout: { scheme: i.terms.scheme, pool_fee: i.terms.poolFee },
    fleet: {
      devices_online: online, hashrate_hps: Math.round(hps), power_w: r6(power), power_complete: powerKnown,
      kwh_per_day: r6(kwh), coins_per_day: r6(coins), ...rounded({ ...p }),
    },
    devices,
  };
}
