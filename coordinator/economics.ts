// The coordinator's economics component: turns verified hashrate, telemetry
// watts, the current job (nBits, coinbase) and the coin price into money, every
// economics.period_s:
// - retained <base>/coordinator/economics (per device and fleet; economics/live.ts),
// - profit-aware control through the agents' own commands (economics/profitControl.ts),
//   each decision logged and published on <base>/coordinator/economics/decision,
// - retained <base>/coordinator/treasury/signal (the configured sell policy),
// - Home Assistant discovery of the coordinator as a device with these as sensors.
// Lifecycle as every component: the constructor only assigns; start()/stop()
// mirror each other; nothing is published after stop(). Time comes from the
// injected clock and timers, so tests run it on a fake clock.
import { randomBytes } from 'node:crypto';
import type { EconomicsConfig } from '../config/economics.ts';
import type { DiscoveryConfig } from '../config/commands.ts';
import { coinbaseReward, bip34Height, subsidyAt, BASE_UNITS_PER_COIN } from '../economics/coinbase.ts';
import type { BlockReward } from '../economics/earnings.ts';
import { isModelled } from '../economics/energy.ts';
import { nbitsToDifficulty } from '../economics/hashUnits.ts';
import { coinsForHashes, economicsSnapshot, type DeviceView, type NetworkView, type PriceView } from '../economics/live.ts';
import { decideControl, type ControlAction, type ControlInput, type ControlMemory } from '../economics/profitControl.ts';
import { energyCost, priceAt, type LocalClock, type Tariff } from '../economics/tariff.ts';
import { DailyCloses, liveSignal } from '../economics/treasury/signal.ts';
import { makePolicy, type PolicySpec } from '../economics/treasury/policies.ts';
import { localTimeOf } from '../agent/control/schedule.ts';
import { decisionPayload, economicsDecisionTopic, economicsTopic, marketPriceTopic, parseMarketPrice, treasurySignalPayload, treasurySignalTopic, type MarketPrice } from '../protocol/economics.ts';
import { HashlingError, toHashlingError } from '../protocol/errors.ts';
import { deviceTopic, parseDeviceTopic } from '../protocol/topics.ts';
import type { LinkMessage, MqttLink } from '../transport/mqttLink.ts';
import type { SourceJob } from './source.ts';
import { coordinatorDiscovery } from './economicsDiscovery.ts';

/** What the component reads from the coordinator each period. */
export interface FleetDeviceStats {
  id: string;
  state: string;
  hashrate_hps: number;
  verified_hashes: number;
  pool_hashes: number;
}

export interface Timers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface EconomicsDeps {
  base: string;
  config: EconomicsConfig;
  discovery: DiscoveryConfig;
  link: MqttLink;
  devices: () => FleetDeviceStats[];
  job: () => SourceJob | null;
  log: (line: string) => void;
  now: () => number;
  timers?: Timers;
  localTime?: LocalClock;
}

interface Known {
  mode: string | null;
  power_w: number | null;
  power_source: string | null;
  sampleAt: number | null;
  capacity_hps: number;
  hashing_power_w: number | null;
  own_max_cpu_percent: number | null;
  measured_kwh: number;
  modelled_kwh: number;
  energy_cost: number;
  earned_coins: number;
  pool_earned_coins: number;
  seen_hashes: number | null;
  seen_pool_hashes: number | null;
}

const REAL_TIMERS: Timers = { setInterval: (fn, ms) => setInterval(fn, ms), clearInterval: (h) => clearInterval(h as NodeJS.Timeout) };

export class EconomicsComponent {
  private readonly d: EconomicsDeps;
  private running = false;
  private timer: unknown = null;
  private readonly known = new Map<string, Known>();
  private memory = new Map<string, ControlMemory>();
  /** Until the first period: our own retained message may still tell what an earlier run paused. */
  private restoring = true;
  private market: { price: MarketPrice | null; error: string | null } = { price: null, error: null };
  private readonly closes = new DailyCloses();
  private treasury: PolicySpec | null = null;
  private discoveryMsg: { topic: string; payload: string } | null = null;

  constructor(deps: EconomicsDeps) {
    this.d = deps;
  }

  private get c(): EconomicsConfig { return this.d.config; }
  private get timers(): Timers { return this.d.timers ?? REAL_TIMERS; }
  private get local(): LocalClock { return this.d.localTime ?? localTimeOf; }
  private tariff(): Tariff { return { currency: this.c.currency, price_per_kwh: this.c.tariff_per_kwh, windows: this.c.tariff_windows }; }

  start(): void {
    if (this.running) return;
    this.running = true;
    try {
      this.treasury = makePolicy(this.c.treasury_policy, this.c.treasury_params);
    } catch (err) {
      this.running = false;
      throw new HashlingError('E_CONFIG', `economics.treasury_params: ${(err as Error).message}`);
    }
    const b = this.d.base;
    this.d.link.subscribe(`${b}/+/telemetry`, 0, (m) => this.guard('telemetry', () => this.onDevice('telemetry', m)));
    this.d.link.subscribe(`${b}/+/state`, 1, (m) => this.guard('state', () => this.onDevice('state', m)));
    this.d.link.subscribe(marketPriceTopic(b, this.c.coin), 1, (m) => this.guard('price', () => this.onPrice(m)));
    this.d.link.subscribe(economicsTopic(b), 1, (m) => this.guard('restore', () => this.onOwnRetained(m)));
    if (this.d.discovery.homeassistant) {
      this.discoveryMsg = coordinatorDiscovery(b, this.d.discovery.prefix, this.c.currency);
      this.d.link.setRetained(this.discoveryMsg.topic, this.discoveryMsg.payload);
      this.d.link.subscribe(`${this.d.discovery.prefix}/status`, 1, (m) => {
        if (this.running && this.discoveryMsg && m.payload.toString().trim() === 'online') this.d.link.setRetained(this.discoveryMsg.topic, this.discoveryMsg.payload);
      });
    }
    this.timer = this.timers.setInterval(() => this.guard('period', () => this.tick()), this.c.period_s * 1000);
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    if (this.timer !== null) this.timers.clearInterval(this.timer);
    this.timer = null;
  }

  /** One catch point per input path: a bad message is logged with its code, never fatal. */
  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      const e = toHashlingError(err);
      this.d.log(`economics: ${e.code} while handling ${what}: ${e.message}`);
    }
  }

  private device(id: string): Known {
    let k = this.known.get(id);
    if (!k) {
      k = {
        mode: null, power_w: null, power_source: null, sampleAt: null, capacity_hps: 0, hashing_power_w: null, own_max_cpu_percent: null,
        measured_kwh: 0, modelled_kwh: 0, energy_cost: 0, earned_coins: 0, pool_earned_coins: 0, seen_hashes: null, seen_pool_hashes: null,
      };
      this.known.set(id, k);
    }
    return k;
  }

  private onDevice(leaf: 'telemetry' | 'state', m: LinkMessage): void {
    if (!this.running) return;
    const where = parseDeviceTopic(this.d.base, m.topic);
    if (!where || where.id === 'coordinator' || where.id === 'market') return;
    let o: Record<string, unknown>;
    try {
      const j = JSON.parse(m.payload.toString('utf8'));
      if (typeof j !== 'object' || j === null) return;
      o = j;
    } catch {
      return; // the coordinator's own share path reports malformed device payloads
    }
    const k = this.device(where.id);
    const now = this.d.now();
    if (leaf === 'state') {
      if (typeof o.mode === 'string') k.mode = o.mode;
      // The device's own CPU cap, read while the budget policy has not changed it.
      const sp = o.setpoints as Record<string, unknown> | undefined;
      if (!this.memory.get(where.id)?.max_cpu_percent && typeof sp?.max_level === 'number' && typeof o.threads === 'number' && o.threads > 0) {
        k.own_max_cpu_percent = Math.round(Math.min(100, (sp.max_level / o.threads) * 100));
      }
      return;
    }
    const power = o.power_w;
    if (typeof power !== 'number' || !Number.isFinite(power) || power < 0 || power > 100_000) return;
    const source = typeof o.power_source === 'string' ? o.power_source : 'unknown';
    // Energy since the previous sample at the previous power (held), capped so a
    // device that was gone is not billed for the gap.
    if (k.sampleAt !== null && k.power_w !== null) {
      const end = Math.min(now, k.sampleAt + Math.max(120_000, 3 * this.c.period_s * 1000));
      if (end > k.sampleAt) {
        const kwh = (k.power_w * (end - k.sampleAt)) / 3.6e9;
        if (isModelled(k.power_source ?? '')) k.modelled_kwh += kwh; else k.measured_kwh += kwh;
        k.energy_cost += energyCost(this.tariff(), k.power_w, k.sampleAt, end, this.local);
      }
    }
    k.power_w = power;
    k.power_source = source;
    k.sampleAt = now;
    if (k.mode !== 'paused' && k.mode !== 'idle') k.hashing_power_w = power;
  }

  private onPrice(m: LinkMessage): void {
    if (!this.running) return;
    if (m.payload.length === 0) { this.market = { price: null, error: null }; return; } // retained price cleared
    try {
      const p = parseMarketPrice(m.payload, this.c.currency, this.d.now(), this.c.price_max_age_s * 1000);
      this.market = { price: p, error: null };
      this.closes.add(p.ts, p.price);
    } catch (err) {
      const e = toHashlingError(err);
      this.market = { price: null, error: `${e.code} ${e.message}` };
      this.d.log(`economics: ${e.code} on ${m.topic}: ${e.message}`);
    }
  }

  /** Our retained message from an earlier run says which devices the policy had paused or lowered. */
  private onOwnRetained(m: LinkMessage): void {
    if (!this.restoring || m.payload.length === 0) return;
    this.restoring = false;
    const o = JSON.parse(m.payload.toString('utf8')) as { devices?: Record<string, { policy?: { paused?: boolean; max_cpu_percent?: number | null } | null }> };
    for (const [id, dev] of Object.entries(o.devices ?? {})) {
      const p = dev?.policy;
      if (p && (p.paused === true || typeof p.max_cpu_percent === 'number')) {
        this.memory.set(id, { paused: p.paused === true, max_cpu_percent: typeof p.max_cpu_percent === 'number' ? p.max_cpu_percent : null, since_ms: -Infinity });
      }
    }
    if (this.memory.size > 0) this.d.log(`economics: restored the policy state of ${this.memory.size} device(s) from the retained economics message`);
  }

  /** Difficulty from the job's nBits; reward from its coinbase, else config. */
  network(): NetworkView {
    const job = this.d.job();
    let difficulty: number | null = null;
    let nbits: string | null = null;
    let reward: BlockReward | null = null;
    let source: NetworkView['reward_source'] = null;
    let height: number | null = null;
    if (job) {
      nbits = job.template.nbits.toString(16).padStart(8, '0');
      try { difficulty = nbitsToDifficulty(job.template.nbits); } catch { difficulty = null; }
      try {
        const total = coinbaseReward(job.template.coinb1, job.template.coinb2, job.extranonce1.length / 2 + job.extranonce2Size);
        height = bip34Height(job.template.coinb1);
        const subsidy = height === null ? null : subsidyAt(this.c.coin, height);
        if (subsidy !== null && subsidy <= total.base_units) {
          reward = { subsidy: Number(subsidy) / Number(BASE_UNITS_PER_COIN), fees: Number(total.base_units - subsidy) / Number(BASE_UNITS_PER_COIN) };
        } else if (this.c.payout !== 'pps') {
          reward = { subsidy: total.coins, fees: 0 }; // split unknown; FPPS/PPLNS need only the sum
        }
        source = reward ? 'coinbase' : null;
      } catch {
        reward = null;
      }
    }
    if (reward === null && this.c.block_reward > 0) {
      reward = { subsidy: this.c.block_reward, fees: 0 };
      source = 'config';
    }
    return { difficulty, nbits, reward, reward_source: source, height };
  }

  price(): PriceView {
    const p = this.market.price;
    const now = this.d.now();
    if (p && now - p.ts <= this.c.price_max_age_s * 1000) return { value: p.price, source: 'mqtt', status: 'ok', detail: null, ts: p.ts };
    const detail = p ? `market price from ${new Date(p.ts).toISOString()} is older than ${this.c.price_max_age_s} s` : this.market.error;
    if (this.c.price > 0) return { value: this.c.price, source: 'config', status: 'ok', detail, ts: null };
    return { value: null, source: null, status: p ? 'stale' : this.market.error ? 'invalid' : 'unknown', detail, ts: p?.ts ?? null };
  }

  /** One period: account, publish, decide, signal. Public for tests on a fake clock. */
  tick(): void {
    if (!this.running) return;
    const now = this.d.now();
    const network = this.network();
    const price = this.price();
    const terms = { scheme: this.c.payout, poolFee: this.c.pool_fee };
    const tariffNow = priceAt(this.tariff(), this.local(now));
    const views: DeviceView[] = [];
    for (const s of this.d.devices()) {
      const k = this.device(s.id);
      const online = s.state === 'online';
      // Realised earnings: the work verified since the last period at today's network figures.
      if (k.seen_hashes !== null) {
        k.earned_coins += coinsForHashes(network, terms, Math.max(0, s.verified_hashes - k.seen_hashes)) ?? 0;
        k.pool_earned_coins += coinsForHashes(network, terms, Math.max(0, s.pool_hashes - (k.seen_pool_hashes ?? 0))) ?? 0;
      }
      k.seen_hashes = s.verified_hashes;
      k.seen_pool_hashes = s.pool_hashes;
      if (online && k.mode !== 'paused' && k.mode !== 'idle' && s.hashrate_hps > 0) k.capacity_hps = s.hashrate_hps;
      const m = this.memory.get(s.id);
      views.push({
        id: s.id, online, mode: k.mode, hashrate_hps: s.hashrate_hps, capacity_hps: k.capacity_hps,
        power_w: k.power_w, power_source: k.power_source, hashing_power_w: k.hashing_power_w,
        measured_kwh: k.measured_kwh, modelled_kwh: k.modelled_kwh, energy_cost: k.energy_cost,
        earned_coins: k.earned_coins, pool_earned_coins: k.pool_earned_coins,
        policy: m ? { paused: m.paused, max_cpu_percent: m.max_cpu_percent } : null,
      });
    }
    const inputs = { coin: this.c.coin, currency: this.c.currency, terms, period_s: this.c.period_s, tariff: tariffNow, network, price, devices: views };
    const snap = economicsSnapshot(inputs);
    this.control(snap, views, now);
    // Publish after the decision so the retained message carries the policy state it produced.
    const after = economicsSnapshot({ ...inputs, devices: views.map((v) => ({ ...v, policy: this.policyOf(v.id) })) });
    this.restoring = false;
    this.d.link.setRetained(economicsTopic(this.d.base), JSON.stringify({ v: 1, ts: now, policy: this.c.policy, ...after }));
    this.signal(price, now);
  }

  private policyOf(id: string): DeviceView['policy'] {
    const m = this.memory.get(id);
    return m ? { paused: m.paused, max_cpu_percent: m.max_cpu_percent } : null;
  }

  private control(snap: Record<string, unknown>, views: readonly DeviceView[], now: number): void {
    if (this.c.policy === 'off' && this.memory.size === 0) return;
    const devices = snap.devices as Record<string, { hashing: { revenue_per_day: number | null; cost_per_day: number | null } }>;
    const inputs: ControlInput[] = views.map((v) => ({
      id: v.id, online: v.online, mode: v.mode,
      revenue_per_day: devices[v.id]!.hashing.revenue_per_day, cost_per_day: devices[v.id]!.hashing.cost_per_day,
      own_max_cpu_percent: this.known.get(v.id)?.own_max_cpu_percent ?? null,
    }));
    const out = decideControl(inputs, this.memory, {
      policy: this.c.policy, hysteresis: this.c.hysteresis, min_hold_ms: this.c.min_hold_s * 1000, max_loss_per_day: this.c.max_loss_per_day,
    }, now);
    this.memory = out.memory;
    for (const a of out.actions) this.act(a, now);
  }

  private act(a: ControlAction, now: number): void {
    const verb = a.action === 'budget' ? 'budget/set' : a.action;
    const body: Record<string, unknown> = { v: 1, transaction: `economics-${randomBytes(4).toString('hex')}` };
    if (a.action === 'budget') body.max_cpu_percent = a.max_cpu_percent;
    // Commands are never retained (docs/protocol.md): a retained one would replay on reconnect.
    this.d.link.publishVolatile(deviceTopic(this.d.base, a.device, `cmd/${verb}`), JSON.stringify(body), { qos: 1 });
    this.d.link.publishVolatile(economicsDecisionTopic(this.d.base), decisionPayload({ ...a, policy: this.c.policy }, now), { qos: 1 });
    this.d.log(`economics: ${verb} ${a.device}${a.max_cpu_percent !== undefined ? ` max_cpu_percent ${a.max_cpu_percent}` : ''}: ${a.reason}`);
  }

  private signal(price: PriceView, now: number): void {
    if (!this.treasury) return;
    // Only a market price is a price history; a fixed config price says nothing about trends.
    const d = price.source === 'mqtt' ? liveSignal(this.treasury, this.closes, now) : null;
    const s = d ?? { action: 'hold' as const, fraction: 0, reason: price.value === null ? 'price unknown' : 'no market price history (economics.price is fixed)' };
    this.d.link.setRetained(treasurySignalTopic(this.d.base), treasurySignalPayload({
      policy: this.treasury.name, action: s.action, fraction: s.fraction, reason: s.reason, price: price.value, currency: this.c.currency,
    }, now));
  }
}
