// The coordinator component: the MQTT side of the agent wire contract
// (docs/protocol.md) around the pure Dispatcher core, fed by a JobSource (a Stratum
// pool set or the demo). A Component: the constructor only assigns,
// start()/stop() mirror each other, nothing is published after stop() resolves.
//
// Topics: subscribes <base>/+/status|info|shares|results; publishes units to
// <base>/<id>/work (QoS 1), the verdict of every share to <base>/<id>/acks (the
// agent keeps a share until then), retained <base>/coordinator/status (also the
// Last Will, "lost"), and <base>/coordinator/stats every stats_interval_s.
import { randomBytes } from 'node:crypto';
import { parseListenAddress } from '../config/formats.ts';
import type { BrokerConfig, CoordinatorConfig, DiscoveryConfig } from '../config/schema.ts';
import { systemClock, type Clock, type TimerHandle } from '../lifecycle/clock.ts';
import { startAll, type Component, type Started } from '../lifecycle/component.ts';
import { coordinatorStatusPayload, statsPayload, type StatsPayload } from '../protocol/coordinator.ts';
import { handleLogged } from '../protocol/errors.ts';
import { parseWireJson } from '../protocol/json.ts';
import { isStratumMinerInfo } from '../protocol/miners.ts';
import { acksPayload, benchmarkFromInfo, parseResult, parseShareClaim, parseStatus, statusPayload, type ShareAck } from '../protocol/payloads.ts';
import { signUnit } from '../protocol/signing.ts';
import { COORDINATOR_ID, deviceTopic, everyDevice, isDeviceId, parseDeviceTopic } from '../protocol/topics.ts';
import { haltUnitObject, workUnitObject } from '../protocol/workUnit.ts';
import { HaDiscovery } from '../transport/haDiscovery.ts';
import { MqttLink, type LinkMessage } from '../transport/mqttLink.ts';
import type { CarvedUnit, CarverOptions } from './carving.ts';
import { StratumEndpoint } from './endpoint/stratumEndpoint.ts';
import { Dispatcher, type Dispatch } from './dispatcher.ts';
import { LogThrottle } from './logThrottle.ts';
import { resolveHashAt } from './shareHash.ts';
import type { JobSource, SourceJob } from './source.ts';
import { hashesPerDifficulty, targetToDifficulty, targetToHex } from './stratum/difficulty.ts';
import type { HashAt } from './verify.ts';

export { COORDINATOR_ID } from '../protocol/topics.ts';

/** Size caps before JSON.parse, per input topic: a device account must not make the coordinator parse megabytes. */
export const MAX_INPUT_BYTES = { status: 1024, info: 16 * 1024, shares: 1024, results: 1024 } as const;
type Leaf = keyof typeof MAX_INPUT_BYTES;

/** Share verdicts are acknowledged in batches: at most this many per message, at least every ACK_FLUSH_MS. */
const ACK_BATCH = 64;
const ACK_FLUSH_MS = 100;

export interface CoordinatorDeps {
  /** coordinator.* */
  settings: CoordinatorConfig;
  broker: BrokerConfig;
  /** mqtt.base_topic */
  base: string;
  source: JobSource;
  /** Ed25519 secret key; every unit is signed when set. */
  signingKey?: Uint8Array | null;
  hashAt?: HashAt;
  log?: (line: string) => void;
  clock?: Clock;
  /** discovery.*: Home Assistant discovery of the endpoint's miners (agents announce themselves). */
  discovery?: DiscoveryConfig;
  /** telemetry.interval_s: how often the endpoint publishes its miners' telemetry (default 10). */
  telemetryIntervalS?: number;
  /** The hashling version, announced in the endpoint's miners' info and discovery. */
  version?: string;
  /** Test hook: deterministic extranonce2/version bits for replaying a recorded share. */
  carver?: CarverOptions;
  /**
   * Observation hook, called once per `shares` message after its verdict (the
   * fleet bench measures share publish → verification latency with it). Must be
   * cheap: it runs on the verification path.
   */
  onShareVerdict?: (e: ShareVerdictEvent) => void;
}

/** What onShareVerdict receives. `sent_ts` is the share's own `ts` (device clock), when present. */
export interface ShareVerdictEvent {
  device_id: string;
  unit_id: string | null;
  nonce: number | null;
  ok: boolean;
  reason: string | null;
  sent_ts: number | null;
  verified_at: number;
  /** A share the device sent again (it had not seen the acknowledgement): judged once only. */
  repeat: boolean;
}

/** Wire object of a unit (docs/protocol.md, "work"), before signing. */
export function unitPayload(u: CarvedUnit): Record<string, unknown> {
  return workUnitObject({
    unit_id: u.unitId, job_id: u.job.id, algo: u.job.algo, header: u.header.toString('hex'),
    nonce_start: u.nonceStart, nonce_end: u.nonceEnd, target: targetToHex(u.target), expires_at: u.expiresAt, clean: u.clean,
  });
}

export class Coordinator implements Component {
  readonly name = 'coordinator';
  private readonly d: CoordinatorDeps;
  private link: MqttLink | null = null;
  /** Rejected shares are counted in stats; the log gets one line per device per 10 s. */
  private readonly rejectLog = new LogThrottle(10_000);
  private fleet: Dispatcher | null = null;
  private timers: TimerHandle[] = [];
  private running = false;
  private lastJob: { job: SourceJob; dispatchedMs: number | null } | null = null;
  private readonly pendingAcks = new Map<string, ShareAck[]>();
  private ackTimer: TimerHandle | null = null;
  private unitIdPrefix = '';
  private haltSeq = 0;
  private endpoint: StratumEndpoint | null = null;
  /** The endpoint and its discovery upkeep, when started (ownParts). */
  private parts: Started | null = null;
  /** Devices whose retained info says they are Stratum miners (this run's or an earlier run's). */
  private readonly stratumDevices = new Set<string>();
  /** Last status state seen per device id (to find miners an earlier run left `online`). */
  private readonly lastState = new Map<string, string>();
  private readonly onJob = (job: SourceJob) => this.guard('job', () => { this.handleJob(job); this.endpoint?.onJob(job); });
  private readonly onVoid = () => this.guard('void', () => {
    this.endpoint?.onVoid();
    const halts = this.fleet?.voidAll() ?? [];
    this.send(halts);
    if (halts.length > 0) this.log(`pool lost: ${halts.length} devices halted`);
  });
  private readonly onSourceLog = (line: string) => this.log(line);

  constructor(deps: CoordinatorDeps) {
    this.d = deps;
  }

  private get clock(): Clock {
    return this.d.clock ?? systemClock;
  }

  private now(): number {
    return this.clock.now();
  }

  private log(line: string): void {
    this.d.log?.(line);
  }

  /** True while the broker link is up (health checks). */
  get connected(): boolean {
    return this.link?.connected ?? false;
  }

  /** Read-only view for tests and the demo's status line. */
  get fleetView(): Dispatcher | null {
    return this.fleet;
  }

  /** The broker link while running; the economics component beside the coordinator shares its one session. */
  get sessionLink(): MqttLink | null {
    return this.link;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const cfg = this.d.settings;
    const base = this.d.base;
    // Unit ids unique to this run: agents drop a unit_id they have seen before.
    this.unitIdPrefix = this.d.carver?.unitIdPrefix ?? randomBytes(3).toString('hex');
    this.fleet = new Dispatcher({
      unitSeconds: cfg.unit_seconds, shareIntervalS: cfg.share_interval_s, initialHashrateHps: cfg.initial_hashrate_hps,
      hashAt: this.d.hashAt ?? (await resolveHashAt()),
      carver: { ...this.d.carver, unitIdPrefix: this.unitIdPrefix, minerLanes: cfg.stratum_listen !== '' },
    });
    const statusTopic = deviceTopic(base, COORDINATOR_ID, 'status');
    this.link = new MqttLink({
      broker: this.d.broker,
      clientId: `hashling-coordinator-${randomBytes(4).toString('hex')}`,
      will: () => ({ topic: statusTopic, payload: coordinatorStatusPayload('lost', this.now()), qos: 1, retain: true }),
      log: (l) => this.log(`broker: ${l}`),
      // Shares an agent flushes after a broker restart may arrive before this
      // client has resubscribed; a persistent session has the broker queue them.
      sessionExpiryS: 300,
      clock: this.clock,
    });
    this.link.setRetained(statusTopic, coordinatorStatusPayload('online', this.now(), this.d.source.status().kind));
    for (const leaf of Object.keys(MAX_INPUT_BYTES) as Leaf[]) {
      this.link.subscribe(everyDevice(base, leaf), 1, (m) => this.guard(leaf, () => this.onMessage(leaf, m)));
    }
    // Work sent while the broker was away is lost (units are not queued: they
    // would arrive stale). Treat every device as new; its retained `online`
    // status, re-delivered on resubscribe, gives it fresh clean units.
    this.link.on('disconnect', () => this.fleet?.forgetQueues());
    try {
      this.link.start();
      await this.link.waitConnected();
      this.parts = await startAll(this.ownParts(this.link), (l) => this.log(l));
      this.d.source.on('job', this.onJob);
      this.d.source.on('void', this.onVoid);
      this.d.source.on('log', this.onSourceLog);
      await this.d.source.start();
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.timers.push(this.clock.setInterval(() => this.guard('tick', () => this.send(this.fleet!.tick(this.now()))), 1000));
    this.timers.push(this.clock.setInterval(() => this.guard('suggest', () => this.suggestDifficulty()), 2000));
    this.timers.push(this.clock.setInterval(() => this.guard('stats', () => this.publishStats()), cfg.stats_interval_s * 1000));
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const t of this.timers) this.clock.clearInterval(t);
    this.timers = [];
    if (this.ackTimer !== null) this.clock.clearTimeout(this.ackTimer);
    this.ackTimer = null;
    this.flushAcks();
    this.d.source.off('job', this.onJob);
    this.d.source.off('void', this.onVoid);
    await this.parts?.stop();
    this.parts = null;
    this.endpoint = null;
    await this.d.source.stop();
    this.d.source.off('log', this.onSourceLog);
    await this.link?.stop([{ topic: deviceTopic(this.d.base, COORDINATOR_ID, 'status'), payload: coordinatorStatusPayload('offline', this.now()), retain: true }]);
    this.link = null;
  }

  /**
   * What runs beside the link when coordinator.stratum_listen is set: the
   * Stratum endpoint, and the Home Assistant discovery upkeep of its miners
   * (when discovery.homeassistant is on). Started after the link connects, so
   * a miner's presence is published at once; stopped before it, so their
   * `offline` statuses go out on a live link.
   */
  private ownParts(link: MqttLink): Component[] {
    const cfg = this.d.settings;
    const listen = parseListenAddress(cfg.stratum_listen);
    if (!listen) return [];
    const disc = this.d.discovery;
    const ha = disc?.homeassistant ? new HaDiscovery({ link, discovery: disc }) : null;
    this.endpoint = new StratumEndpoint({
      host: listen.host, port: listen.port,
      tls: cfg.stratum_tls_cert !== '' && cfg.stratum_tls_key !== '' ? { certFile: cfg.stratum_tls_cert, keyFile: cfg.stratum_tls_key } : null,
      algo: cfg.algo, workers: cfg.stratum_workers, password: cfg.stratum_password, passwordFile: cfg.stratum_password_file,
      startDifficulty: cfg.stratum_start_difficulty, initialHashrateHps: cfg.initial_hashrate_hps, shareIntervalS: cfg.share_interval_s,
      maxClients: cfg.stratum_max_clients, telemetryIntervalMs: (this.d.telemetryIntervalS ?? 10) * 1000,
      base: this.d.base, discovery: ha && disc ? { prefix: disc.prefix, announce: (m) => ha.announce(m) } : null, version: this.d.version ?? 'unknown',
      hashAt: this.fleet!.hashAtFn, submit: (share) => this.d.source.submit(share), poolTarget: () => this.d.source.currentTarget(),
      idInUse: (id) => (this.fleet?.isKnownAgent(id) && !this.stratumDevices.has(id) ? `device id ${id} belongs to an agent of this fleet` : null),
      presence: {
        retained: (topic, payload) => link.setRetained(topic, payload),
        live: (topic, payload) => link.publishVolatile(topic, payload, { qos: 0 }),
      },
      log: (l) => this.log(l), clock: this.clock,
    });
    return ha ? [ha, this.endpoint] : [this.endpoint];
  }

  /** One catch point per input path: a bad message is logged with its code, never fatal. */
  private guard(what: string, fn: () => void): void {
    handleLogged((l) => this.log(l), what, fn);
  }

  /**
   * coordinator.pool_suggest_difficulty = auto: the difficulty at which the
   * fleet's planned hashrate (verified, else benchmarked) finds one pool share
   * per pool_share_interval_s. The source decides when to send it.
   */
  private suggestDifficulty(): void {
    if (this.d.settings.pool_suggest_difficulty !== 'auto') return;
    const algo = this.d.settings.algo;
    const agents = this.fleet?.fleetHashrate(this.now(), algo) ?? null;
    const miners = this.endpoint?.hashrate() ?? 0;
    if (agents === null && miners <= 0) return;
    const hps = (agents ?? 0) + miners;
    this.d.source.suggestDifficulty((hps * this.d.settings.pool_share_interval_s) / hashesPerDifficulty(algo));
  }

  private handleJob(job: SourceJob): void {
    if (this.lastJob === null) this.suggestDifficulty();
    const out = this.fleet!.onJob(job, this.now());
    this.lastJob = { job, dispatchedMs: null };
    this.send(out);
    this.lastJob.dispatchedMs = this.now() - job.receivedAt;
    this.log(`job ${job.id}${job.clean ? ' clean' : ''}: ${out.length} devices, ${out.reduce((n, d) => n + d.units.length, 0)} units in ${this.lastJob.dispatchedMs} ms`);
  }

  private onMessage(leaf: Leaf, m: LinkMessage): void {
    if (!this.running) return;
    const where = parseDeviceTopic(this.d.base, m.topic);
    if (!where || !isDeviceId(where.id)) return;
    const id = where.id;
    const now = this.now();
    if (leaf === 'status' && m.payload.length === 0) {
      this.lastState.delete(id);
      if (this.stratumDevices.has(id) || this.endpoint?.deviceIds.has(id)) return;
      // An empty retained payload clears the topic: the device is gone.
      this.send(this.fleet!.onStatus(id, 'offline', now));
      return;
    }
    let body: unknown;
    try {
      body = parseWireJson(m.payload, MAX_INPUT_BYTES[leaf], leaf);
    } catch (err) {
      if (leaf === 'shares' && !this.stratumDevices.has(id)) this.onBadShare(id, null, now);
      throw err;
    }
    // Stratum miners' presence is written by this coordinator (its own messages
    // come back here): they are devices of the fleet, but never get units.
    if (leaf === 'info' && isStratumMinerInfo(body) && !this.stratumDevices.has(id)) {
      this.stratumDevices.add(id);
      // Its retained status may have reached the fleet first.
      this.fleet!.onStatus(id, 'offline', now);
    }
    if (leaf === 'status') this.lastState.set(id, parseStatus(body)?.state ?? 'unknown');
    if (this.stratumDevices.has(id) || this.endpoint?.deviceIds.has(id)) {
      this.clearStaleMiner(id);
      return;
    }
    switch (leaf) {
      case 'status': {
        const s = parseStatus(body);
        const state = s?.state === 'online' ? 'online' : s?.state === 'lost' ? 'lost' : 'offline';
        this.send(this.fleet!.onStatus(id, state, now, s && s.ts > 0 ? s.ts : null));
        return;
      }
      case 'info':
        this.fleet!.onInfo(id, { sha256d: benchmarkFromInfo(body, 'sha256d') ?? undefined, scrypt: benchmarkFromInfo(body, 'scrypt') ?? undefined }, now);
        return;
      case 'results': {
        const r = parseResult(body);
        if (r) this.send(this.fleet!.onResult(id, r, now));
        return;
      }
      case 'shares': {
        const claim = parseShareClaim(body);
        if (!claim) {
          this.onBadShare(id, body, now);
          return;
        }
        const r = this.fleet!.onShare(id, claim, now);
        this.ack(id, { unit_id: claim.unit_id, nonce: claim.nonce, ok: r.verdict.ok, ...(r.verdict.ok ? {} : { reason: r.verdict.reason }) });
        this.d.onShareVerdict?.({
          device_id: id, unit_id: claim.unit_id, nonce: claim.nonce, ok: r.verdict.ok, reason: r.verdict.ok ? null : r.verdict.reason,
          sent_ts: claim.ts ?? null, verified_at: this.now(), repeat: r.repeat,
        });
        if (r.repeat) return;
        if (!r.verdict.ok) {
          const line = this.rejectLog.pass(id, `share from ${id} rejected: ${r.verdict.reason} (${r.verdict.detail})`, now);
          if (line !== null) this.log(line);
          return;
        }
        if (r.forward) {
          const forward = r.forward;
          void this.d.source.submit(forward).then((out) => {
            if (out.status === 'accepted' || out.status === 'rejected') this.fleet?.onPoolVerdict(id, out.status === 'accepted', forward.job.poolTarget);
            else this.log(`share from ${id} not submitted: ${out.status === 'stale' ? `job ${forward.job.id} is stale`
              : out.status === 'below_target' ? 'below the difficulty now in force' : out.status === 'duplicate' ? 'already sent' : 'lost in flight'}`);
          });
        }
        return;
      }
    }
  }

  private onBadShare(id: string, body: unknown, now: number): void {
    this.fleet!.onMalformedShare(id, now);
    const ts = body && typeof body === 'object' && typeof (body as { ts?: unknown }).ts === 'number' ? (body as { ts: number }).ts : null;
    this.d.onShareVerdict?.({ device_id: id, unit_id: null, nonce: null, ok: false, reason: 'malformed', sent_ts: ts, verified_at: this.now(), repeat: false });
  }

  /** Queues the verdict of one share for its device's `acks` topic. */
  private ack(deviceId: string, a: ShareAck): void {
    const list = this.pendingAcks.get(deviceId) ?? [];
    list.push(a);
    this.pendingAcks.set(deviceId, list);
    if (list.length >= ACK_BATCH) this.flushAcks(deviceId);
    else this.ackTimer ??= this.clock.setTimeout(() => { this.ackTimer = null; this.flushAcks(); }, ACK_FLUSH_MS);
  }

  private flushAcks(only?: string): void {
    for (const [id, list] of this.pendingAcks) {
      if (only !== undefined && id !== only) continue;
      this.pendingAcks.delete(id);
      this.link?.publishVolatile(deviceTopic(this.d.base, id, 'acks'), acksPayload(list, this.now()), { qos: 1 });
    }
  }

  /**
   * A miner that a previous run (crashed: no clean stop) left `online` is not
   * connected to this one: it is marked `lost`, as its Last Will would have.
   */
  private clearStaleMiner(id: string): void {
    if (!this.stratumDevices.has(id) || this.lastState.get(id) !== 'online' || this.endpoint?.deviceIds.has(id)) return;
    this.lastState.set(id, 'lost');
    this.link?.setRetained(deviceTopic(this.d.base, id, 'status'), statusPayload('lost', this.now()));
    this.log(`miner ${id} was left online by an earlier run; marked lost`);
  }

  private send(dispatches: Dispatch[]): void {
    if (!this.link || !this.running) return;
    for (const d of dispatches) {
      if (d.halt) {
        const p = haltUnitObject(`${this.unitIdPrefix}-halt-${(++this.haltSeq).toString(36)}`, `${this.unitIdPrefix}-halt`, this.d.settings.algo, this.now() + 60_000);
        this.link.publishVolatile(deviceTopic(this.d.base, d.deviceId, 'work'), JSON.stringify([this.d.signingKey ? signUnit(p, this.d.signingKey) : p]), { qos: 1 });
        continue;
      }
      const units = d.units.map((u) => {
        const p = unitPayload(u);
        return this.d.signingKey ? signUnit(p, this.d.signingKey) : p;
      });
      this.link.publishVolatile(deviceTopic(this.d.base, d.deviceId, 'work'), JSON.stringify(units), { qos: 1 });
    }
  }

  /** The `<base>/coordinator/stats` payload. */
  stats(): StatsPayload {
    const now = this.now();
    const devices = this.fleet?.deviceStats(now) ?? [];
    const job = this.fleet?.currentJob ?? null;
    let hashrate = 0;
    const totals = { accepted: 0, stale: 0, rejected: 0, submitted: 0, pool_accepted: 0, pool_rejected: 0 };
    const perDevice: Record<string, unknown> = {};
    for (const d of devices) {
      if (d.state === 'online') hashrate += d.hashrate_hps;
      const rejected = Object.values(d.rejected).reduce((a, b) => a + b, 0);
      totals.accepted += d.accepted; totals.stale += d.rejected.stale; totals.rejected += rejected;
      totals.submitted += d.submitted; totals.pool_accepted += d.pool_accepted; totals.pool_rejected += d.pool_rejected;
      perDevice[d.id] = {
        state: d.state, hashrate_hps: d.hashrate_hps, accepted: d.accepted, stale: d.rejected.stale, rejected: d.rejected,
        submitted: d.submitted, pool_accepted: d.pool_accepted, units_issued: d.units_issued, claims_flagged: d.claims_flagged,
      };
    }
    return {
      ts: now, devices_online: this.fleet?.onlineCount ?? 0, hashrate_hps: hashrate,
      pool: this.d.source.status(),
      job: job ? {
        id: job.id, pool_job_id: job.poolJobId, clean: job.clean, age_s: Math.round((now - job.receivedAt) / 1000),
        pool_difficulty: targetToDifficulty(job.poolTarget, job.algo), dispatch_ms: this.lastJob?.job === job ? this.lastJob.dispatchedMs : null,
      } : null,
      shares: totals,
      devices: perDevice,
      ...(this.endpoint ? { stratum_miners: this.endpoint.stats() } : {}),
    };
  }

  private publishStats(): void {
    this.link?.publishVolatile(deviceTopic(this.d.base, COORDINATOR_ID, 'stats'), statsPayload(this.stats()), { qos: 0 });
  }
}
