// The coordinator component: the MQTT side of the agent wire contract
// (docs/protocol.md) around the pure Fleet core, fed by a JobSource (a Stratum
// pool set or the demo). Lifecycle as every hashling component: the constructor
// only assigns, start()/stop() mirror each other, nothing is published after
// stop() resolves.
//
// Topics: subscribes <base>/+/status|info|shares|results; publishes units to
// <base>/<id>/work (QoS 1), retained <base>/coordinator/status (also the Last
// Will, "lost"), and <base>/coordinator/stats every stats_interval_s.
import { randomBytes } from 'node:crypto';
import type { CoordinatorSection } from '../config/coordinator.ts';
import type { HashlingConfig } from '../config/load.ts';
import { toHashlingError } from '../protocol/errors.ts';
import { signUnit } from '../protocol/signing.ts';
import { deviceTopic, parseDeviceTopic } from '../protocol/topics.ts';
import { LogThrottle } from './logThrottle.ts';
import { MqttLink, type LinkMessage } from '../transport/mqttLink.ts';
import type { CarvedUnit, CarverOptions } from './carving.ts';
import { Fleet, type DeviceState, type Dispatch } from './fleet.ts';
import { resolveHashAt } from './shareHash.ts';
import type { JobSource, SourceJob } from './source.ts';
import { targetToDifficulty, targetToHex } from './stratum/difficulty.ts';
import { parseShareClaim, type HashAt } from './verify.ts';

export const COORDINATOR_ID = 'coordinator';

export interface CoordinatorDeps {
  config: HashlingConfig;
  source: JobSource;
  /** Ed25519 secret key; every unit is signed when set. */
  signingKey?: Uint8Array | null;
  hashAt?: HashAt;
  log?: (line: string) => void;
  now?: () => number;
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
}

/** Wire form of a unit (docs/protocol.md, "work"). */
export function unitPayload(u: CarvedUnit): Record<string, unknown> {
  return {
    v: 1, unit_id: u.unitId, job_id: u.job.id, algo: 'sha256d', header: u.header.toString('hex'),
    nonce_start: u.nonceStart, nonce_end: u.nonceEnd, target: targetToHex(u.target), expires_at: u.expiresAt, clean: u.clean,
  };
}

/** Benchmark hashrate an agent advertises in `info`, if any (several shapes tolerated). */
export function benchmarkFromInfo(info: Record<string, unknown>): number | null {
  const pick = (x: unknown): number | null => {
    if (typeof x === 'number' && Number.isFinite(x) && x > 0) return x;
    if (x && typeof x === 'object') return pick((x as Record<string, unknown>).sha256d);
    return null;
  };
  return pick(info.benchmark_hps) ?? pick(info.hashrate_hps);
}

export class Coordinator {
  private readonly d: CoordinatorDeps;
  private link: MqttLink | null = null;
  /** Rejected shares are counted in stats; the log gets one line per device per 10 s. */
  private readonly rejectLog = new LogThrottle(10_000);
  private fleet: Fleet | null = null;
  private timers: NodeJS.Timeout[] = [];
  private running = false;
  private lastJob: { job: SourceJob; dispatchedMs: number | null } | null = null;
  private readonly onJob = (job: SourceJob) => this.guard('job', () => this.handleJob(job));
  private readonly onVoid = () => this.fleet?.voidAll();
  private readonly onSourceLog = (line: string) => this.log(line);

  constructor(deps: CoordinatorDeps) {
    this.d = deps;
  }

  private get cfg(): CoordinatorSection {
    return this.d.config.coordinator as unknown as CoordinatorSection;
  }

  private get base(): string {
    return this.d.config.mqtt.base_topic;
  }

  private now(): number {
    return (this.d.now ?? Date.now)();
  }

  private log(line: string): void {
    this.d.log?.(line);
  }

  /** True while the broker link is up (health checks). */
  get connected(): boolean {
    return this.link?.connected ?? false;
  }

  /** Read-only view for tests and the demo's status line. */
  get fleetView(): Fleet | null {
    return this.fleet;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const cfg = this.cfg;
    this.fleet = new Fleet({
      unitSeconds: cfg.unit_seconds, shareIntervalS: cfg.share_interval_s, initialHashrateHps: cfg.initial_hashrate_hps,
      hashAt: this.d.hashAt ?? (await resolveHashAt()),
      // Unit ids unique to this run: agents drop a unit_id they have seen before.
      carver: { unitIdPrefix: randomBytes(3).toString('hex'), ...this.d.carver },
    });
    const statusTopic = deviceTopic(this.base, COORDINATOR_ID, 'status');
    this.link = new MqttLink({
      broker: this.d.config.broker,
      clientId: `hashling-coordinator-${randomBytes(4).toString('hex')}`,
      will: { topic: statusTopic, payload: JSON.stringify({ v: 1, state: 'lost', ts: this.now() }), qos: 1, retain: true },
      log: (l) => this.log(`broker: ${l}`),
      // Shares an agent flushes after a broker restart may arrive before this
      // client has resubscribed; a persistent session has the broker queue them.
      sessionExpiryS: 300,
    });
    this.link.setRetained(statusTopic, JSON.stringify({ v: 1, state: 'online', ts: this.now(), source: this.d.source.status().kind }));
    for (const leaf of ['status', 'info', 'shares', 'results'] as const) {
      this.link.subscribe(`${this.base}/+/${leaf}`, 1, (m) => this.guard(leaf, () => this.onMessage(leaf, m)));
    }
    // Work sent while the broker was away is lost (units are not queued: they
    // would arrive stale). Treat every device as new; its retained `online`
    // status, re-delivered on resubscribe, gives it fresh clean units.
    this.link.on('disconnect', () => this.fleet?.forgetQueues());
    this.link.start();
    await this.link.waitConnected();
    this.d.source.on('job', this.onJob);
    this.d.source.on('void', this.onVoid);
    this.d.source.on('log', this.onSourceLog);
    await this.d.source.start();
    this.timers.push(setInterval(() => this.guard('tick', () => this.send(this.fleet!.tick(this.now()))), 1000));
    this.timers.push(setInterval(() => this.guard('stats', () => this.publishStats()), cfg.stats_interval_s * 1000));
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.d.source.off('job', this.onJob);
    this.d.source.off('void', this.onVoid);
    await this.d.source.stop();
    this.d.source.off('log', this.onSourceLog);
    await this.link?.stop([{ topic: deviceTopic(this.base, COORDINATOR_ID, 'status'), payload: JSON.stringify({ v: 1, state: 'offline', ts: this.now() }), retain: true }]);
    this.link = null;
  }

  /** One catch point per input path: a bad message is logged with its code, never fatal. */
  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      const e = toHashlingError(err);
      this.log(`${e.code} while handling ${what}: ${e.message}`);
    }
  }

  private handleJob(job: SourceJob): void {
    const out = this.fleet!.onJob(job, this.now());
    this.lastJob = { job, dispatchedMs: null };
    this.send(out);
    this.lastJob.dispatchedMs = this.now() - job.receivedAt;
    this.log(`job ${job.id}${job.clean ? ' clean' : ''}: ${out.length} devices, ${out.reduce((n, d) => n + d.units.length, 0)} units in ${this.lastJob.dispatchedMs} ms`);
  }

  private onMessage(leaf: 'status' | 'info' | 'shares' | 'results', m: LinkMessage): void {
    if (!this.running) return;
    const where = parseDeviceTopic(this.base, m.topic);
    if (!where || where.id === COORDINATOR_ID) return;
    const id = where.id;
    const now = this.now();
    let body: unknown;
    try {
      body = JSON.parse(m.payload.toString('utf8'));
    } catch {
      if (leaf === 'shares') this.fleet!.onMalformedShare(id, now);
      return;
    }
    const o = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    switch (leaf) {
      case 'status': {
        // An empty retained payload clears the topic: the device is gone.
        const state: DeviceState = o.state === 'online' ? 'online' : o.state === 'lost' ? 'lost' : 'offline';
        this.send(this.fleet!.onStatus(id, state, now));
        return;
      }
      case 'info':
        this.fleet!.onInfo(id, benchmarkFromInfo(o), now);
        return;
      case 'results':
        if (typeof o.unit_id !== 'string') return;
        this.send(this.fleet!.onResult(id, { unit_id: o.unit_id, status: String(o.status), hashes: Number(o.hashes) }, now));
        return;
      case 'shares': {
        const claim = parseShareClaim(body);
        if (!claim) {
          this.fleet!.onMalformedShare(id, now);
          this.d.onShareVerdict?.({ device_id: id, unit_id: null, nonce: null, ok: false, reason: 'malformed', sent_ts: typeof o.ts === 'number' ? o.ts : null, verified_at: this.now() });
          return;
        }
        const r = this.fleet!.onShare(id, claim, now);
        this.d.onShareVerdict?.({
          device_id: id, unit_id: claim.unit_id, nonce: claim.nonce, ok: r.verdict.ok, reason: r.verdict.ok ? null : r.verdict.reason,
          sent_ts: typeof o.ts === 'number' ? o.ts : null, verified_at: this.now(),
        });
        if (!r.verdict.ok) {
          const line = this.rejectLog.pass(id, `share from ${id} rejected: ${r.verdict.reason} (${r.verdict.detail})`, now);
          if (line !== null) this.log(line);
          return;
        }
        if (r.forward) {
          void this.d.source.submit(r.forward).then((out) => {
            if (out.status !== 'stale') this.fleet?.onPoolVerdict(id, out.status === 'accepted');
            else this.log(`share from ${id} not submitted: job ${r.forward!.job.id} is stale`);
          });
        }
        return;
      }
    }
  }

  private send(dispatches: Dispatch[]): void {
    if (!this.link || !this.running) return;
    for (const d of dispatches) {
      const units = d.units.map((u) => {
        const p = unitPayload(u);
        return this.d.signingKey ? signUnit(p, this.d.signingKey) : p;
      });
      this.link.publishVolatile(deviceTopic(this.base, d.deviceId, 'work'), JSON.stringify(units), { qos: 1 });
    }
  }

  /** The `<base>/coordinator/stats` payload. */
  stats(): Record<string, unknown> {
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
    const src = this.d.source.status();
    return {
      v: 1, ts: now, devices_online: this.fleet?.onlineCount ?? 0, hashrate_hps: hashrate,
      pool: src,
      job: job ? {
        id: job.id, pool_job_id: job.poolJobId, clean: job.clean, age_s: Math.round((now - job.receivedAt) / 1000),
        pool_difficulty: targetToDifficulty(job.poolTarget), dispatch_ms: this.lastJob?.job === job ? this.lastJob.dispatchedMs : null,
      } : null,
      shares: totals,
      devices: perDevice,
    };
  }

  private publishStats(): void {
    this.link?.publishVolatile(deviceTopic(this.base, COORDINATOR_ID, 'stats'), JSON.stringify(this.stats()), { qos: 0 });
  }
}
