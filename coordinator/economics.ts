// The coordinator's economics component: turns verified hashrate, telemetry
// watts, the current job (nBits, coinbase) and the coin price into money, every
// economics.period_s:
// - retained <base>/coordinator/economics (per device and fleet; economics/live.ts),
// - profit-aware control through the agents' own commands (economics/profitControl.ts),
//   each decision logged and published on <base>/coordinator/economics/decision,
// - retained <base>/coordinator/economics/held/<id> while the policy holds a device,
//   so a restarted coordinator gives back what an earlier run took,
// - retained <base>/coordinator/treasury/signal (the configured sell policy),
// - the coordinator as a Home Assistant device with these as sensors.
//
// It runs beside the Coordinator (started after it by startAll) on the
// coordinator's own broker link: the deployed broker takes the username as the
// client id (deploy/mosquitto/mosquitto.conf), so a second connection of the
// coordinator account would throw the first one off. A Component: the
// constructor only assigns; start()/stop() mirror each other; nothing is
// published or commanded after stop(). Time comes from the injected Clock, the
// local wall clock of tariff windows from an injected function.
import { randomBytes } from 'node:crypto';
import { localTimeOf } from '../config/schedule.ts';
import type { DiscoveryConfig, EconomicsConfig } from '../config/schema.ts';
import { isModelled } from '../economics/energy.ts';
import { coinsForHashes, economicsSnapshot, type DeviceView, type PriceView } from '../economics/live.ts';
import { decideControl, type ControlAction, type ControlInput, type ControlMemory } from '../economics/profitControl.ts';
import { energyCost, priceAt, type LocalClock, type Tariff } from '../economics/tariff.ts';
import { makePolicy, type PolicySpec } from '../economics/treasury/policies.ts';
import { DailyCloses, liveSignal } from '../economics/treasury/signal.ts';
import { systemClock, type Clock, type TimerHandle } from '../lifecycle/clock.ts';
import type { Component } from '../lifecycle/component.ts';
import { commandPayload } from '../protocol/commands.ts';
import {
  budgetFromState, decisionPayload, economicsPayload, heldPayload, parseHeld, parseMarketPrice, powerFromTelemetry, treasurySignalPayload,
  type MarketPrice,
} from '../protocol/economics.ts';
import { HashlingError, handleLogged, toHashlingError } from '../protocol/errors.ts';
import { buildCoordinatorHaDiscovery } from '../protocol/homeAssistant.ts';
import {
  commandTopic, economicsDecisionTopic, economicsHeldTopic, economicsTopic, everyDevice, isDeviceId, marketPriceTopic, parseDeviceTopic,
  parseEconomicsHeldTopic, treasurySignalTopic,
} from '../protocol/topics.ts';
import { HaDiscovery } from '../transport/haDiscovery.ts';
import type { LinkMessage, MqttLink } from '../transport/mqttLink.ts';
import { networkFromJob } from './jobEconomics.ts';
import { LogThrottle } from './logThrottle.ts';
import type { SourceJob } from './source.ts';

/** What the component reads from the coordinator's fleet each period (Dispatcher.deviceStats). */
export interface FleetDeviceStats {
  id: string;
  state: string;
  hashrate_hps: number;
  verified_hashes: number;
  pool_hashes: number;
}

export interface EconomicsDeps {
  /** economics.* */
  settings: EconomicsConfig;
  /** discovery.* (the coordinator's Home Assistant device) */
  discovery: DiscoveryConfig;
  /** mqtt.base_topic */
  base: string;
  /** The coordinator's broker link, taken at start() (the coordinator starts first). */
  link: () => MqttLink | null;
  devices: () => readonly FleetDeviceStats[];
  job: () => SourceJob | null;
  /** hashling's version, for the Home Assistant device. */
  version: string;
  log?: (line: string) => void;
  clock?: Clock;
  /** Local wall-clock time of an instant (tariff windows); default: the process time zone. */
  localTime?: LocalClock;
}

/** What the component has learnt about one device. */
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

/** A device that was gone is not billed for the gap: power is held at most this long (or 3 periods). */
const MAX_HOLD_MS = 120_000;

export class EconomicsComponent implements Component {
  readonly name = 'economics';
  private readonly d: EconomicsDeps;
  private link: MqttLink | null = null;
  private ha: HaDiscovery | null = null;
  private running = false;
  private timer: TimerHandle | null = null;
  private readonly known = new Map<string, Known>();
  private memory = new Map<string, ControlMemory>();
  /** Until the first period: our own retained held messages may still tell what an earlier run paused. */
  private restoring = true;
  private restored = 0;
  private market: { price: MarketPrice | null; error: string | null } = { price: null, error: null };
  private readonly closes = new DailyCloses();
  private treasury: PolicySpec | null = null;
  /** A device sending bad telemetry or state every few seconds gets one log line per minute. */
  private readonly inputLog = new LogThrottle(60_000);

  constructor(deps: EconomicsDeps) {
    this.d = deps;
  }

  private get c(): EconomicsConfig {
    return this.d.settings;
  }

  private get clock(): Clock {
    return this.d.clock ?? systemClock;
  }

  private now(): number {
    return this.clock.now();
  }

  private get local(): LocalClock {
    return this.d.localTime ?? localTimeOf;
  }

  private tariff(): Tariff {
    return { currency: this.c.currency, price_per_kwh: this.c.tariff_per_kwh, windows: this.c.tariff_windows };
  }

  private log(line: string): void {
    this.d.log?.(`economics: ${line}`);
  }

  start(): void {
    if (this.running) return;
    const link = this.d.link();
    if (!link) throw new HashlingError('E_INTERNAL', 'economics: the coordinator must be started first (it owns the broker link)');
    try {
      // config/rules.ts already refuses bad parameters at load; this is the same check.
      this.treasury = makePolicy(this.c.treasury_policy, this.c.treasury_params);
    } catch (err) {
      throw new HashlingError('E_CONFIG', `economics.treasury_params: ${(err as Error).message}`);
    }
    this.link = link;
    this.running = true;
    const b = this.d.base;
    link.subscribe(everyDevice(b, 'telemetry'), 0, (m) => this.guard('telemetry', () => this.onTelemetry(m)));
    link.subscribe(everyDevice(b, 'state'), 1, (m) => this.guard('state', () => this.onState(m)));
    link.subscribe(marketPriceTopic(b, this.c.coin), 1, (m) => this.guard('price', () => this.onPrice(m)));
    link.subscribe(economicsHeldTopic(b, '+'), 1, (m) => this.guard('restore', () => this.onHeld(m)));
    if (this.d.discovery.homeassistant) {
      this.ha = new HaDiscovery({ link, discovery: this.d.discovery });
      this.ha.announce(buildCoordinatorHaDiscovery({ base: b, prefix: this.d.discovery.prefix, currency: this.c.currency, version: this.d.version }));
      this.ha.start();
    }
    this.timer = this.clock.setInterval(() => this.guard('period', () => this.tick()), this.c.period_s * 1000);
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    if (this.timer !== null) this.clock.clearInterval(this.timer);
    this.timer = null;
    this.ha?.stop();
    this.ha = null;
    this.link = null;
  }

  /** One catch point per input path: a bad message is logged with its code, never fatal. */
  private guard(what: string, fn: () => void): void {
    handleLogged((l) => this.log(l), what, fn);
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

  /** The device a message comes from, or null when the topic is not a device's. */
  private deviceOf(m: LinkMessage): string | null {
    const where = parseDeviceTopic(this.d.base, m.topic);
    return where && isDeviceId(where.id) ? where.id : null;
  }

  /** Reads a device payload; a bad one is logged (throttled per device) and ignored. */
  private read<T>(id: string, leaf: string, parse: () => T): T | null {
    try {
      return parse();
    } catch (err) {
      const e = toHashlingError(err);
      const line = this.inputLog.pass(id, `${e.code} in ${leaf} from ${id}: ${e.message}`, this.now());
      if (line !== null) this.log(line);
      return null;
    }
  }

  private onState(m: LinkMessage): void {
    const id = this.deviceOf(m);
    if (!this.running || id === null || m.payload.length === 0) return;
    const s = this.read(id, 'state', () => budgetFromState(m.payload));
    if (!s) return;
    const k = this.device(id);
    if (s.mode !== null) k.mode = s.mode;
    // The device's own CPU cap, read while the budget policy has not changed it.
    if (!this.memory.get(id)?.max_cpu_percent && s.max_cpu_percent !== null) k.own_max_cpu_percent = s.max_cpu_percent;
  }

  private onTelemetry(m: LinkMessage): void {
    const id = this.deviceOf(m);
    if (!this.running || id === null) return;
    const p = this.read(id, 'telemetry', () => powerFromTelemetry(m.payload));
    if (!p) return;
    const k = this.device(id);
    const now = this.now();
    // Energy since the previous sample at the previous power (held), capped so a
    // device that was gone is not billed for the gap.
    if (k.sampleAt !== null && k.power_w !== null) {
      const end = Math.min(now, k.sampleAt + Math.max(MAX_HOLD_MS, 3 * this.c.period_s * 1000));
      if (end > k.sampleAt) {
        const kwh = (k.power_w * (end - k.sampleAt)) / 3.6e9;
        if (isModelled(k.power_source ?? '')) k.modelled_kwh += kwh;
        else k.measured_kwh += kwh;
        k.energy_cost += energyCost(this.tariff(), k.power_w, k.sampleAt, end, this.local);
      }
    }
    k.power_w = p.power_w;
    k.power_source = p.power_source;
    k.sampleAt = now;
    if (k.mode !== 'paused' && k.mode !== 'idle') k.hashing_power_w = p.power_w;
  }

  private onPrice(m: LinkMessage): void {
    if (!this.running) return;
    if (m.payload.length === 0) {
      this.market = { price: null, error: null }; // retained price cleared
      return;
    }
    try {
      const p = parseMarketPrice(m.payload, this.c.currency, this.now(), this.c.price_max_age_s * 1000);
      this.market = { price: p, error: null };
      this.closes.add(p.ts, p.price);
    } catch (err) {
      const e = toHashlingError(err);
      this.market = { price: null, error: `${e.code} ${e.message}` };
      throw e;
    }
  }

  /** Our retained held messages from an earlier run say which devices the policy had paused or lowered. */
  private onHeld(m: LinkMessage): void {
    const id = parseEconomicsHeldTopic(this.d.base, m.topic);
    if (!this.running || !this.restoring || id === null) return;
    const p = parseHeld(m.payload);
    if (!p) return;
    this.memory.set(id, { ...p, since_ms: -Infinity });
    this.restored++;
  }

  price(): PriceView {
    const p = this.market.price;
    const now = this.now();
    if (p && now - p.ts <= this.c.price_max_age_s * 1000) return { value: p.price, source: 'mqtt', status: 'ok', detail: null, ts: p.ts };
    const detail = p ? `market price from ${new Date(p.ts).toISOString()} is older than ${this.c.price_max_age_s} s` : this.market.error;
    if (this.c.price > 0) return { value: this.c.price, source: 'config', status: 'ok', detail, ts: null };
    return { value: null, source: null, status: p ? 'stale' : this.market.error ? 'invalid' : 'unknown', detail, ts: p?.ts ?? null };
  }

  /** One period: account, decide, publish, signal. Public so tests can run a period on a fake clock. */
  tick(): void {
    const link = this.link;
    if (!this.running || !link) return;
    const now = this.now();
    const network = networkFromJob(this.d.job(), this.c);
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
      views.push({
        id: s.id, online, mode: k.mode, hashrate_hps: s.hashrate_hps, capacity_hps: k.capacity_hps,
        power_w: k.power_w, power_source: k.power_source, hashing_power_w: k.hashing_power_w,
        measured_kwh: k.measured_kwh, modelled_kwh: k.modelled_kwh, energy_cost: k.energy_cost,
        earned_coins: k.earned_coins, pool_earned_coins: k.pool_earned_coins, policy: this.policyOf(s.id),
      });
    }
    const inputs = { coin: this.c.coin, currency: this.c.currency, terms, period_s: this.c.period_s, tariff: tariffNow, network, price, devices: views };
    if (this.restoring && this.restored > 0) this.log(`restored what an earlier run held: ${this.restored} device(s)`);
    this.restoring = false;
    // A command sent while the broker is away is dropped, so no decision is taken then.
    if (link.connected) this.control(economicsSnapshot(inputs), views, now, link);
    // Published after the decision so the retained message carries the policy state it produced.
    const after = economicsSnapshot({ ...inputs, devices: views.map((v) => ({ ...v, policy: this.policyOf(v.id) })) });
    link.setRetained(economicsTopic(this.d.base), economicsPayload(after, this.c.policy, now));
    this.signal(price, now, link);
  }

  private policyOf(id: string): DeviceView['policy'] {
    const m = this.memory.get(id);
    return m ? { paused: m.paused, max_cpu_percent: m.max_cpu_percent } : null;
  }

  private control(snap: Record<string, unknown>, views: readonly DeviceView[], now: number, link: MqttLink): void {
    if (this.c.policy === 'off' && this.memory.size === 0) return;
    const devices = snap.devices as Record<string, { hashing: { revenue_per_day: number | null; cost_per_day: number | null } }>;
    const inputs: ControlInput[] = views.map((v) => ({
      id: v.id, online: v.online, mode: v.mode,
      revenue_per_day: devices[v.id].hashing.revenue_per_day, cost_per_day: devices[v.id].hashing.cost_per_day,
      own_max_cpu_percent: this.known.get(v.id)?.own_max_cpu_percent ?? null,
    }));
    const out = decideControl(inputs, this.memory, {
      policy: this.c.policy, hysteresis: this.c.hysteresis, min_hold_ms: this.c.min_hold_s * 1000, max_loss_per_day: this.c.max_loss_per_day,
    }, now);
    const before = this.memory;
    this.memory = out.memory;
    for (const a of out.actions) this.act(a, now, link);
    // What the policy holds survives a restart of the coordinator in one retained message per device.
    for (const id of new Set([...before.keys(), ...out.memory.keys()])) {
      const was = before.get(id);
      const is = out.memory.get(id);
      if (was?.paused === is?.paused && was?.max_cpu_percent === is?.max_cpu_percent) continue;
      link.setRetained(economicsHeldTopic(this.d.base, id), is ? heldPayload(is, now) : '');
    }
  }

  /** Sends one decision as the agent's own command (never retained: it would replay on reconnect) and publishes it. */
  private act(a: ControlAction, now: number, link: MqttLink): void {
    const verb = a.action === 'budget' ? 'budget/set' : a.action;
    const args = a.action === 'budget' ? { max_cpu_percent: a.max_cpu_percent } : {};
    link.publishVolatile(commandTopic(this.d.base, { kind: 'device', id: a.device }, verb), commandPayload(args, `economics-${randomBytes(4).toString('hex')}`), { qos: 1 });
    link.publishVolatile(economicsDecisionTopic(this.d.base), decisionPayload({ ...a, policy: this.c.policy }, now), { qos: 1 });
    this.log(`${verb} ${a.device}${a.max_cpu_percent !== undefined ? ` max_cpu_percent ${a.max_cpu_percent}` : ''}: ${a.reason}`);
  }

  private signal(price: PriceView, now: number, link: MqttLink): void {
    if (!this.treasury) return;
    // Only a market price is a price history; a fixed config price says nothing about trends.
    const d = price.source === 'mqtt' ? liveSignal(this.treasury, this.closes, now) : null;
    const s = d ?? { action: 'hold' as const, fraction: 0, reason: price.value === null ? 'price unknown' : 'no market price history (economics.price is fixed)' };
    link.setRetained(treasurySignalTopic(this.d.base), treasurySignalPayload({
      policy: this.treasury.name, action: s.action, fraction: s.fraction, reason: s.reason, price: price.value, currency: this.c.currency,
    }, now));
  }
}
