// One simulated agent: a real MQTT connection (MqttLink, the agent's own
// transport: Last Will, retained status/info/state, outbox for shares and
// results) speaking the real wire contract (docs/protocol.md), with the hashing
// replaced by the clock. A unit of N nonces takes N / hashrate seconds; shares
// arrive as a Poisson process at hashrate × p and each one is a real share found
// by findShare, so the coordinator verifies it like any other. Results carry
// exact counts: `done` reports nonce_end − nonce_start + 1 hashes.
//
// Two ways to find shares, chosen by the fleet's total simulated hashrate:
// - exact: every nonce is really hashed, paced by the clock (a tick every
//   TICK_MS covers the nonces the device would have done), so shares and their
//   count are exactly those of the range — what a real agent reports;
// - sampled (simulated hashrates too high to hash for real): shares arrive as a
//   Poisson process at hashrate × p and each is a real share found by findShare
//   in a random window of the range.
//
// Everything but the hashing is the agent's own code: the link (outbox, acks),
// the work queue (admission, duplicates, clean jobs, expiry) and the payload
// builders of protocol/, so a load test exercises what real devices do.
import { WorkQueue } from '../agent/workQueue.ts';
import type { HeaderJob } from '../kernels/types.ts';
import { parseWireJson } from '../protocol/json.ts';
import {
  eventPayload, infoPayload, parseAcks, resultPayload, sharePayload, shareKey, statePayload, statusPayload, telemetryPayload, type ResultStatus,
} from '../protocol/payloads.ts';
import { deviceTopic } from '../protocol/topics.ts';
import { parseWorkPayload, type HeaderWorkUnit, type WorkUnit } from '../protocol/workUnit.ts';
import { MqttLink, type BrokerSettings, type LinkMessage } from '../transport/mqttLink.ts';
import { findShare, headerJob, shareHash, shareProbability, unitScanner } from './shareFinder.ts';

/** Exact mode: how often a device hashes the nonces its clock has covered. */
const TICK_MS = 500;

export interface VirtualDeviceOptions {
  id: string;
  base: string;
  broker: BrokerSettings;
  /** Simulated hashes per second (sets unit duration and share rate). */
  hashrateHps: number;
  /** Hash every nonce for real (paced by the clock) instead of sampling shares. */
  exact: boolean;
  queueSize: number;
  /** Telemetry period; 0 = none. */
  telemetryS: number;
  version: string;
  random?: () => number;
  now?: () => number;
}

export interface DeviceCounters {
  units_received: number;
  units_done: number;
  units_cancelled: number;
  units_expired: number;
  shares_published: number;
  shares_not_found: number;
  bad_work: number;
}

interface Running {
  unit: HeaderWorkUnit;
  job: HeaderJob;
  startedAt: number;
  durationMs: number;
  shares: number;
  taken: Set<number>;
  endTimer: NodeJS.Timeout;
  shareTimer: NodeJS.Timeout | null;
  /** Exact mode: next nonce to hash, and the unit's scanner. */
  cursor: number;
  scanner: ReturnType<typeof unitScanner> | null;
}

export class VirtualDevice {
  readonly counters: DeviceCounters = { units_received: 0, units_done: 0, units_cancelled: 0, units_expired: 0, shares_published: 0, shares_not_found: 0, bad_work: 0 };
  private readonly o: VirtualDeviceOptions;
  private link: MqttLink | null = null;
  private queue!: WorkQueue;
  private running: Running | null = null;
  private telemetryTimer: NodeJS.Timeout | null = null;
  private hashesTotal = 0;
  private startedAt = 0;
  private stopped = true;
  private frozen = false;

  constructor(opts: VirtualDeviceOptions) {
    this.o = opts;
  }

  get connected(): boolean {
    return this.link?.connected ?? false;
  }

  /** Shares and results not yet acknowledged by the broker. */
  get outboxLength(): number {
    return this.link?.outboxLength ?? 0;
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  private topic(leaf: string): string {
    return deviceTopic(this.o.base, this.o.id, leaf);
  }

  start(): void {
    this.stopped = false;
    this.startedAt = this.now();
    this.queue = new WorkQueue(this.o.queueSize);
    const link = new MqttLink({
      broker: this.o.broker,
      clientId: `hashling-${this.o.id}`,
      will: { topic: this.topic('status'), payload: statusPayload('lost', this.now()), qos: 1, retain: true },
      random: this.o.random,
    });
    this.link = link;
    link.setRetained(this.topic('info'), infoPayload({
      version: this.o.version, platform: 'simulated', arch: process.arch, model: 'hashling simulator', cores: 1, mem_mb: 0, groups: [],
      algorithms: ['sha256d'], kernels: { sha256d: 'simulated' }, threads: 1, benchmark_hps: { sha256d: this.o.hashrateHps },
      config_digest: 'simulated',
    }, this.now()));
    // After info (retained topics go out in insertion order): the coordinator sizes
    // a device's first units when `online` arrives, from the benchmark if it has it.
    // Built at each publish: every (re)connect's `online` carries its own time.
    link.setRetained(this.topic('status'), () => statusPayload('online', this.now()));
    this.publishState();
    link.subscribe(this.topic('work'), 1, this.onWork);
    link.subscribe(this.topic('acks'), 1, this.onAcks);
    if (this.o.telemetryS > 0) {
      this.telemetryTimer = setInterval(() => this.publishTelemetry(), this.o.telemetryS * 1000);
      this.telemetryTimer.unref();
    }
    link.start();
  }

  /** Stops without a clean `offline` when `crash` is true (the broker then publishes the will). */
  async stop(crash = false): Promise<void> {
    this.stopped = true;
    if (this.telemetryTimer) clearInterval(this.telemetryTimer);
    this.telemetryTimer = null;
    if (this.running) this.finish('cancelled');
    for (const u of this.queue.drain()) this.publishResult(u, 'cancelled', 0, 0, 0);
    const link = this.link;
    this.link = null;
    if (!link) return;
    await link.stop(crash ? undefined : [{ topic: this.topic('status'), payload: statusPayload('offline', this.now()), retain: true }]);
  }

  /** Stops finding new shares (units keep running), so a bench can count what is in flight. */
  freeze(): void {
    this.frozen = true;
    if (this.running?.shareTimer) clearTimeout(this.running.shareTimer);
    if (this.running) this.running.shareTimer = null;
  }

  private readonly onAcks = (msg: LinkMessage): void => {
    try {
      for (const a of parseAcks(parseWireJson(msg.payload, 64 * 1024, 'acks')) ?? []) this.link?.ack(shareKey(a.unit_id, a.nonce));
    } catch {
      // a bad acks message changes nothing; the shares are sent again later
    }
  };

  private readonly onWork = (msg: LinkMessage): void => {
    if (this.stopped) return;
    const parsed = parseWorkPayload(msg.payload);
    this.counters.bad_work += parsed.errors.length;
    for (const e of parsed.errors) this.publishEvent(e.code, e.message, e.unitId);
    for (const u of parsed.units) {
      if (u.algo !== 'sha256d') { this.publishEvent('E_UNKNOWN_ALGO', `simulated devices hash sha256d only, not ${u.algo}`, u.unit_id); continue; }
      this.admit(u);
    }
  };

  /** The agent's admission rules (agent/workQueue.ts), with the agent's answers. */
  private admit(u: HeaderWorkUnit): void {
    const decision = this.queue.admit(u, this.now());
    if (decision.kind === 'duplicate') { this.publishEvent('E_DUPLICATE_UNIT', 'unit_id seen before; ignored', u.unit_id, 'warning'); return; }
    this.counters.units_received++;
    if (decision.kind === 'expired') { this.publishResult(u, 'expired', 0, 0, 0); this.counters.units_expired++; return; }
    for (const q of decision.cancelled) { this.publishResult(q, 'cancelled', 0, 0, 0); this.counters.units_cancelled++; }
    if (decision.cancelRunning && this.running) this.finish('cancelled');
    if (decision.kind === 'full') {
      this.publishEvent('E_QUEUE_FULL', `queue holds ${this.queue.length} units; unit refused`, u.unit_id);
      this.publishResult(u, 'cancelled', 0, 0, 0);
      return;
    }
    this.pump();
    this.publishState();
  }

  private pump(): void {
    if (this.running || this.stopped) return;
    const unit = this.queue.next() as HeaderWorkUnit | null;
    if (!unit) { this.publishState(); return; }
    const size = unit.nonce_end - unit.nonce_start + 1;
    const durationMs = (size / this.o.hashrateHps) * 1000;
    const now = this.now();
    const untilExpiry = unit.expires_at === null ? Infinity : unit.expires_at - now;
    const r: Running = {
      unit, job: headerJob(unit.header, unit.target), startedAt: now, durationMs, shares: 0, taken: new Set(), shareTimer: null, cursor: unit.nonce_start, scanner: null,
      endTimer: setTimeout(() => this.finish(durationMs <= untilExpiry ? 'done' : 'expired'), Math.min(durationMs, untilExpiry)),
    };
    this.running = r;
    this.queue.running = unit;
    if (this.o.exact) {
      r.scanner = unitScanner(r.job);
      r.shareTimer = setInterval(() => this.hashUpTo(r, this.now()), TICK_MS);
    } else {
      this.scheduleShare(r);
    }
    this.publishState();
  }

  /** Exact mode: hashes the nonces the clock has covered since the last tick, publishing each share. */
  private hashUpTo(r: Running, now: number): void {
    if (this.frozen || !r.scanner) return;
    const due = Math.min(r.unit.nonce_end + 1, r.unit.nonce_start + Math.floor(((now - r.startedAt) / 1000) * this.o.hashrateHps));
    if (due <= r.cursor) return;
    r.scanner.scan(r.cursor, due - r.cursor, (nonce) => this.publishShare(r, nonce, shareHash(r.job, nonce)));
    r.cursor = due;
  }

  private publishShare(r: Running, nonce: number, hash: string): void {
    r.taken.add(nonce);
    r.shares++;
    this.counters.shares_published++;
    this.link?.publishReliable(this.topic('shares'), sharePayload({ unit_id: r.unit.unit_id, job_id: r.unit.job_id, nonce, hash, ts: this.now() }), shareKey(r.unit.unit_id, nonce));
  }

  /** Next share of the running unit after an exponential gap (rate = hashrate × p). */
  private scheduleShare(r: Running): void {
    if (this.frozen) return;
    const rate = this.o.hashrateHps * shareProbability(r.unit.target);
    const gapMs = (-Math.log(1 - (this.o.random ?? Math.random)()) / rate) * 1000;
    if (!Number.isFinite(gapMs) || this.now() + gapMs >= r.startedAt + r.durationMs) return;
    r.shareTimer = setTimeout(() => {
      if (this.running !== r || this.frozen) return;
      const s = findShare(r.job, r.unit.nonce_start, r.unit.nonce_end, r.taken, this.o.random);
      if (s) {
        this.publishShare(r, s.nonce, s.hash);
      } else {
        this.counters.shares_not_found++;
      }
      this.scheduleShare(r);
    }, gapMs);
  }

  private finish(status: ResultStatus): void {
    const r = this.running;
    if (!r) return;
    clearTimeout(r.endTimer);
    if (r.shareTimer) clearTimeout(r.shareTimer);
    // A done unit has hashed every nonce: the last tick's worth is scanned now.
    if (status === 'done' && this.o.exact) this.hashUpTo(r, r.startedAt + r.durationMs + 1000);
    this.running = null;
    this.queue.running = null;
    const size = r.unit.nonce_end - r.unit.nonce_start + 1;
    const elapsed = this.now() - r.startedAt;
    const hashes = status === 'done' ? size : Math.min(size, Math.floor((elapsed / 1000) * this.o.hashrateHps));
    this.hashesTotal += hashes;
    if (status === 'done') this.counters.units_done++;
    else if (status === 'expired') this.counters.units_expired++;
    else this.counters.units_cancelled++;
    this.publishResult(r.unit, status, hashes, elapsed, r.shares);
    if (!this.stopped) setImmediate(() => this.pump());
  }

  private publishResult(u: WorkUnit, status: ResultStatus, hashes: number, elapsedMs: number, shares: number): void {
    this.link?.publishReliable(this.topic('results'), resultPayload({ unit_id: u.unit_id, job_id: u.job_id, status, hashes, elapsed_ms: Math.round(elapsedMs), shares }));
  }

  private publishEvent(code: string, message: string, unitId?: string, type: 'error' | 'warning' = 'error'): void {
    this.link?.publishVolatile(this.topic('events'), eventPayload(type, { code, message, unitId }, this.now()), { qos: 1 });
  }

  private lastState = '';

  private publishState(): void {
    const state = { mode: this.running ? 'hashing' as const : 'idle' as const, unit_id: this.running?.unit.unit_id ?? null, job_id: this.running?.unit.job_id ?? null, queue_length: this.queue.length, threads: 1 };
    const key = JSON.stringify(state);
    if (key === this.lastState) return;
    this.lastState = key;
    this.link?.setRetained(this.topic('state'), statePayload(state, this.now()));
  }

  private publishTelemetry(): void {
    const now = this.now();
    const hps = this.running ? this.o.hashrateHps : 0;
    this.link?.publishVolatile(this.topic('telemetry'), telemetryPayload({
      hashrate_hps: { '10s': hps, '60s': hps, '15m': hps }, hashes_total: this.hashesTotal, shares_found: this.counters.shares_published,
      units_done: this.counters.units_done, temp_c: null, load: 0, rss_mb: 0, uptime_s: Math.round((now - this.startedAt) / 1000), outbox: this.outboxLength,
    }, now));
  }
}
