// The agent: takes work units from `<base>/<id>/work`, hashes them on the worker
// pool, and publishes shares, results, state, telemetry and events (docs/protocol.md).
// A Component: the constructor only assigns; start()/stop() mirror each other;
// nothing is published after stop() resolves (the link, stopped after it, only
// flushes what was already handed to it).
import { loadavg } from 'node:os';
import { HashlingError, toHashlingError, type ErrorCode } from '../protocol/errors.ts';
import { parseWireJson } from '../protocol/json.ts';
import {
  eventPayload, infoPayload, parseAcks, parseStatus, resultPayload, sharePayload, shareKey, statePayload, statusPayload, telemetryPayload,
  type AgentMode, type EventType, type InfoPayload, type ResultStatus, type StatePayload, type TelemetryPayload,
} from '../protocol/payloads.ts';
import { deviceTopic } from '../protocol/topics.ts';
import { expectedShares, MAX_EXPECTED_SHARES, parseWorkPayload, rawOf, type WorkUnit } from '../protocol/workUnit.ts';
import { bytesToHex, hexToBytes } from '../kernels/hex.ts';
import { getAlgoModule } from '../kernels/registry.ts';
import type { Algo, KernelJob } from '../kernels/types.ts';
import type { Clock, TimerHandle } from '../lifecycle/clock.ts';
import type { Component } from '../lifecycle/component.ts';
import type { LinkMessage, MqttLink } from '../transport/mqttLink.ts';
import type { WorkerPool } from './pool/workerPool.ts';
import { RateMeter } from './rateMeter.ts';
import { WorkQueue } from './workQueue.ts';

/** What the agent uses of the link (a test may pass any object of this shape). */
export type AgentLink = Pick<MqttLink, 'setRetained' | 'subscribe' | 'publishVolatile' | 'publishReliable' | 'ack' | 'on' | 'off' | 'outboxLength'>;
/** What the agent uses of the pool. */
export type AgentPool = Pick<WorkerPool, 'run' | 'cancel' | 'setLevel' | 'threads' | 'on' | 'off'>;

/** What the budget controller contributes to state and telemetry, and how the agent pauses it. */
export interface BudgetView {
  snapshot(): { telemetry: object; state: { limited_by: string | null; paused: boolean } };
  setPaused(paused: boolean): void;
}

/** Who this agent process is on the broker (retained in `status`). */
export interface Session {
  /** Random per process. */
  session: string;
  started_at: number;
}

export interface AgentDeps {
  base: string;
  id: string;
  queueSize: number;
  telemetryIntervalS: number;
  link: AgentLink;
  pool: AgentPool;
  /** Kernel name per algorithm, chosen by self-test + speed; missing = algo unavailable. */
  kernels: Partial<Record<Algo, string>>;
  /** The retained `info` (version, host facts, kernel figures, config digest). */
  info: InfoPayload;
  session: Session;
  clock: Clock;
  log: (line: string) => void;
  /** Verifies a unit's coordinator signature; absent = signatures not required. */
  verifySignature?: (raw: Record<string, unknown>) => boolean;
  budget?: BudgetView;
  /** Called once when the agent cannot go on (another agent holds its id); the runtime stops it. */
  onFatal?: (err: HashlingError) => void;
}

/** Units whose expires_at is further ahead than this run as if they had none (timers hold ≤ 24.8 days). */
const FAR_EXPIRY_MS = 86_400_000;

export class Agent implements Component {
  readonly name = 'agent';
  private readonly d: AgentDeps;
  private queue!: WorkQueue;
  private meter!: RateMeter;
  private startedAt = 0;
  private busy = false;
  private stopping = false;
  private paused = false;
  /** Another agent holds this id: stop quietly (its status stays). */
  private yielded = false;
  /** The link lost its connection at least once since start (a takeover shows this way). */
  private wasDisconnected = false;
  private cancelReason: ResultStatus = 'cancelled';
  private expiryTimer: TimerHandle | null = null;
  private telemetryTimer: TimerHandle | null = null;
  private sharesFound = 0;
  private unitsDone = 0;
  private sharesInUnit = 0;
  /** Shares past which the running unit is cancelled as a storm (far beyond what its target allows). */
  private shareCeiling = Infinity;
  private lastState = '';
  private idleWaiters: (() => void)[] = [];

  constructor(deps: AgentDeps) {
    this.d = deps;
  }

  private topic(leaf: string): string {
    return deviceTopic(this.d.base, this.d.id, leaf);
  }

  private status(state: 'online' | 'offline'): string {
    return statusPayload(state, this.d.clock.now(), this.d.session);
  }

  private readonly online = (): string => this.status(this.stopping ? 'offline' : 'online');

  start(): void {
    const { link, pool, clock } = this.d;
    this.queue = new WorkQueue(this.d.queueSize);
    this.startedAt = clock.now();
    this.meter = new RateMeter(this.startedAt);
    this.stopping = false;
    pool.on('hashes', this.onHashes);
    pool.on('crash', this.onCrash);
    link.on('dropped', this.onDropped);
    link.on('disconnect', this.onDisconnect);
    this.publishInfo();
    this.publishState(true);
    // `online` last: a coordinator that sees it can already size units from the
    // benchmark in `info` (retained topics are re-published in this order). Built
    // at each publish, so every (re)connect's `online` carries that connect's
    // time: a coordinator tells a new connection by it (docs/protocol.md).
    link.setRetained(this.topic('status'), this.online);
    link.subscribe(this.topic('status'), 1, this.onOwnStatus);
    link.subscribe(this.topic('work'), 1, this.onWork);
    link.subscribe(this.topic('acks'), 1, this.onAcks);
    this.telemetryTimer = clock.setInterval(() => this.publishTelemetry(), this.d.telemetryIntervalS * 1000);
  }

  /** Adds fields to the retained `info` (host details read after start) and re-publishes it. */
  updateInfo(extra: Record<string, unknown>): void {
    if (this.stopping) return;
    this.d.info = { ...this.d.info, ...extra };
    this.publishInfo();
  }

  private publishInfo(): void {
    const { link, pool, clock } = this.d;
    link.setRetained(this.topic('info'), infoPayload({ ...this.d.info, threads: pool.threads }, clock.now()));
  }

  /** Cancels running and queued units (reported `cancelled`), then hands the link a retained `offline`. */
  async stop(): Promise<void> {
    const { link, pool, clock } = this.d;
    this.stopping = true;
    if (this.telemetryTimer !== null) clock.clearInterval(this.telemetryTimer);
    if (this.expiryTimer !== null) clock.clearTimeout(this.expiryTimer);
    this.telemetryTimer = null;
    this.expiryTimer = null;
    for (const u of this.queue.drain()) this.publishResult(u, 'cancelled', 0, 0, 0);
    if (this.busy) {
      this.cancelReason = 'cancelled';
      const idle = new Promise<void>((r) => this.idleWaiters.push(r));
      pool.cancel();
      await idle;
    }
    pool.off('hashes', this.onHashes);
    pool.off('crash', this.onCrash);
    link.off('dropped', this.onDropped);
    link.off('disconnect', this.onDisconnect);
    // A yielding agent leaves the status of the agent that holds the id alone.
    if (!this.yielded) link.setRetained(this.topic('status'), this.status('offline'));
  }

  /** Operator pause: parks every thread but keeps units queued. */
  setPaused(paused: boolean): void {
    this.paused = paused;
    // With a budget, it owns the level (a pause is its tightest constraint).
    if (this.d.budget) this.d.budget.setPaused(paused);
    else this.d.pool.setLevel(paused ? 0 : this.d.pool.threads, 100);
    this.publishState();
  }

  /** Publishes an event from another component (budget, commands) on this device's topic. */
  reportEvent(type: EventType, code: ErrorCode | string, message: string, unitId?: string): void {
    this.d.log(`${type} ${code}${unitId ? ` [${unitId}]` : ''}: ${message}`);
    this.d.link.publishVolatile(this.topic('events'), eventPayload(type, { code, message, unitId }, this.d.clock.now()), { qos: 1 });
  }

  /** Current mode, as published in `state`. */
  mode(): AgentMode {
    if (this.paused) return 'paused';
    if (!this.busy) return 'idle';
    const limited = this.d.budget?.snapshot().state.limited_by;
    return limited ? 'throttled' : 'hashing';
  }

  // --- one device id, one agent ---
  private readonly onDisconnect = (): void => {
    this.wasDisconnected = true;
  };

  /**
   * Two agents started with one id take the broker session from each other in
   * turn (same client id): each connect kicks the other, whose Last Will (`lost`,
   * with its session) becomes the retained status the newcomer finds when it
   * subscribes. So each sees the other's session in an `online` or `lost` status;
   * the one that started later yields (E_DUPLICATE_ID), the other re-asserts its
   * `online`. An agent yields only after it lost its own connection at least once:
   * a fresh start that finds the stale status of its crashed predecessor keeps
   * running, and so does an agent whose own half-open connection was taken over
   * by its reconnect (that Will carries its own session).
   */
  private readonly onOwnStatus = (msg: LinkMessage): void => {
    if (this.stopping || this.yielded || msg.payload.length === 0) return;
    let other;
    try {
      other = parseStatus(parseWireJson(msg.payload, 4096, 'status'));
    } catch {
      return;
    }
    const me = this.d.session;
    if (!other || other.state === 'offline' || other.session === undefined || other.session === me.session) return;
    const otherStarted = other.started_at ?? 0;
    const iAmLater = me.started_at > otherStarted || (me.started_at === otherStarted && me.session > other.session);
    if (!iAmLater) {
      if (other.state === 'online') this.d.link.setRetained(this.topic('status'), this.online);
      return;
    }
    if (!this.wasDisconnected) return;
    this.yielded = true;
    const err = new HashlingError('E_DUPLICATE_ID', `another agent (session ${other.session}, started ${new Date(otherStarted).toISOString()}) is online as "${this.d.id}"; this one stops. Give each device its own device.id.`);
    this.reportEvent('error', err.code, err.message);
    this.d.onFatal?.(err);
  };

  // --- input path: the coordinator's verdicts; a share leaves the outbox only here ---
  private readonly onAcks = (msg: LinkMessage): void => {
    try {
      const acks = parseAcks(parseWireJson(msg.payload, 64 * 1024, 'acks'));
      if (!acks) throw new HashlingError('E_BAD_JSON', 'acks payload is not {"v":1,"shares":[…]}');
      for (const a of acks) this.d.link.ack(shareKey(a.unit_id, a.nonce));
    } catch (err) {
      this.publishEvent('warning', toHashlingError(err));
    }
  };

  // --- input path: the one catch point for `work` ---
  private readonly onWork = (msg: LinkMessage): void => {
    try {
      const parsed = parseWorkPayload(msg.payload);
      for (const err of parsed.errors) this.publishEvent('error', err);
      for (const unit of parsed.units) {
        // Per unit, so one refused element of an array does not drop the rest.
        try {
          this.admit(unit);
        } catch (err) {
          const e = toHashlingError(err);
          this.publishEvent('error', e.unitId === undefined ? new HashlingError(e.code, e.message, unit.unit_id) : e);
        }
      }
    } catch (err) {
      this.publishEvent('error', toHashlingError(err));
    }
  };

  private admit(unit: WorkUnit): void {
    const { clock } = this.d;
    if (this.stopping) return;
    if (!this.d.kernels[unit.algo]) {
      throw new HashlingError('E_UNKNOWN_ALGO', `no working kernel for ${unit.algo} on this device`, unit.unit_id);
    }
    const expected = expectedShares(unit);
    if (expected > MAX_EXPECTED_SHARES) {
      throw new HashlingError('E_BAD_WORK_UNIT', `target too easy: ~${expected.toExponential(2)} shares expected over the unit, at most ${MAX_EXPECTED_SHARES}`, unit.unit_id);
    }
    if (this.d.verifySignature) {
      const raw = rawOf(unit);
      if (!raw || !this.d.verifySignature(raw)) {
        this.publishEvent('error', new HashlingError('E_BAD_SIGNATURE', unit.sig === null ? 'unit is not signed' : 'unit signature does not verify', unit.unit_id));
        return;
      }
    }
    const decision = this.queue.admit(unit, clock.now());
    if (decision.kind === 'duplicate') {
      this.publishEvent('warning', new HashlingError('E_DUPLICATE_UNIT', 'unit_id seen before; ignored', unit.unit_id));
      return;
    }
    if (decision.kind === 'expired') {
      this.publishEvent('warning', new HashlingError('E_EXPIRED', 'unit arrived after expires_at', unit.unit_id));
      this.publishResult(unit, 'expired', 0, 0, 0);
      return;
    }
    for (const u of decision.cancelled) this.publishResult(u, 'cancelled', 0, 0, 0);
    if (decision.cancelRunning) {
      this.cancelReason = 'cancelled';
      this.d.pool.cancel();
    }
    if (decision.kind === 'full') {
      this.publishEvent('error', new HashlingError('E_QUEUE_FULL', `queue holds ${this.queue.length} units (hashing.queue_size); unit refused`, unit.unit_id));
      this.publishResult(unit, 'cancelled', 0, 0, 0);
      return;
    }
    this.publishState();
    void this.pump();
  }

  // --- the hashing loop: one unit at a time on the whole pool ---
  private async pump(): Promise<void> {
    if (this.busy || this.stopping) return;
    const { clock, pool } = this.d;
    let unit = this.queue.next();
    while (unit && unit.expires_at !== null && unit.expires_at <= clock.now()) {
      this.publishResult(unit, 'expired', 0, 0, 0);
      unit = this.queue.next();
    }
    if (!unit) {
      this.publishState();
      return;
    }
    this.busy = true;
    this.queue.running = unit;
    this.sharesInUnit = 0;
    // 16 × the mean and at least 256: a fair unit never gets near it (Poisson tail).
    this.shareCeiling = Math.max(256, 16 * expectedShares(unit));
    this.cancelReason = 'cancelled';
    this.publishState();
    const untilExpiry = unit.expires_at === null ? Infinity : unit.expires_at - clock.now();
    if (untilExpiry <= FAR_EXPIRY_MS) {
      this.expiryTimer = clock.setTimeout(() => {
        this.cancelReason = 'expired';
        pool.cancel();
      }, untilExpiry);
    }
    const started = clock.now();
    const job = toKernelJob(unit);
    const mod = getAlgoModule(unit.algo)!;
    let outcome;
    try {
      outcome = await pool.run(
        { kernel: this.d.kernels[unit.algo]!, job, start: unit.nonce_start, total: unit.nonce_end - unit.nonce_start + 1 },
        (nonce) => this.onShare(unit!, job, mod, nonce),
      );
    } catch (err) {
      this.publishEvent('error', toHashlingError(err));
      outcome = { status: 'cancelled' as const, hashes: 0 };
    }
    if (this.expiryTimer !== null) clock.clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
    const status: ResultStatus = outcome.status === 'done' ? 'done' : this.cancelReason;
    if (status === 'done') this.unitsDone++;
    this.publishResult(unit, status, outcome.hashes, clock.now() - started, this.sharesInUnit);
    this.queue.running = null;
    this.busy = false;
    for (const w of this.idleWaiters.splice(0)) w();
    void this.pump();
  }

  private onShare(unit: WorkUnit, job: KernelJob, mod: NonNullable<ReturnType<typeof getAlgoModule>>, nonce: number): void {
    // Re-hash with the reference implementation: a share the kernel claims but the
    // reference rejects is a kernel fault, reported and never published as a share.
    const digest = mod.hashAt(job, nonce);
    if (!mod.isShare(job, digest)) {
      this.publishEvent('error', new HashlingError('E_SELFTEST', `kernel ${this.d.kernels[unit.algo]} reported nonce ${nonce} that is not a share`, unit.unit_id));
      return;
    }
    this.sharesFound++;
    this.sharesInUnit++;
    if (this.sharesInUnit === Math.ceil(this.shareCeiling)) {
      // A kernel or a target gone wrong: stop the storm before it floods the outbox.
      this.publishEvent('error', new HashlingError('E_BAD_WORK_UNIT', `unit yields far more shares than its target allows (${this.sharesInUnit}); cancelled`, unit.unit_id));
      this.cancelReason = 'cancelled';
      this.d.pool.cancel();
    }
    if (this.sharesInUnit > this.shareCeiling) return;
    this.d.link.publishReliable(this.topic('shares'), sharePayload({ unit_id: unit.unit_id, job_id: unit.job_id, nonce, hash: bytesToHex(digest), ts: this.d.clock.now() }), shareKey(unit.unit_id, nonce));
  }

  private readonly onHashes = (n: number): void => {
    this.meter.add(n, this.d.clock.now());
  };

  private readonly onCrash = (k: number, message: string): void => {
    const unitId = this.queue.running?.unit_id;
    this.publishEvent('error', new HashlingError('E_WORKER_CRASH', `hashing thread ${k}: ${message}; replaced, its batch re-run`, unitId));
  };

  private readonly onDropped = (count: number): void => {
    this.publishEvent('warning', new HashlingError('E_OUTBOX_OVERFLOW', `outbox full (broker.outbox_size): ${count} oldest shares/results dropped so far`));
  };

  // --- outputs ---
  private publishResult(unit: WorkUnit, status: ResultStatus, hashes: number, elapsedMs: number, shares: number): void {
    this.d.link.publishReliable(this.topic('results'), resultPayload({ unit_id: unit.unit_id, job_id: unit.job_id, status, hashes, elapsed_ms: elapsedMs, shares }));
  }

  private publishEvent(type: 'error' | 'warning', err: HashlingError): void {
    this.reportEvent(type, err.code, err.message, err.unitId);
  }

  /** Publishes retained `state` when it changed (or always with force). */
  publishState(force = false): void {
    if (this.yielded) return;
    const budget = this.d.budget?.snapshot().state;
    const body: StatePayload = {
      mode: this.mode(),
      unit_id: this.queue.running?.unit_id ?? null,
      job_id: this.queue.running?.job_id ?? null,
      queue_length: this.queue.length,
      threads: this.d.pool.threads,
      ...(budget ?? {}),
    };
    // The level moves a little every control tick; it is in telemetry, and the budget
    // forces a state publish when it moves by half a thread, so it is not part of
    // what counts as a change here (the retained state is not a stream).
    const { level: _level, setpoints: _setpoints, ...discrete } = body;
    const json = JSON.stringify(discrete);
    if (!force && json === this.lastState) return;
    this.lastState = json;
    this.d.link.setRetained(this.topic('state'), statePayload(body, this.d.clock.now()));
  }

  /** The telemetry payload (also the demo's status line). */
  telemetry(): TelemetryPayload {
    const now = this.d.clock.now();
    const rates = this.meter.rates(now);
    const mem = process.memoryUsage();
    return {
      hashrate_hps: { '10s': Math.round(rates['10s']), '60s': Math.round(rates['60s']), '15m': Math.round(rates['15m']) },
      hashes_total: this.meter.total,
      shares_found: this.sharesFound,
      units_done: this.unitsDone,
      temp_c: null,
      load: Math.round(loadavg()[0] * 100) / 100,
      rss_mb: Math.round((mem.rss / 2 ** 20) * 10) / 10,
      uptime_s: Math.round((now - this.startedAt) / 1000),
      outbox: this.d.link.outboxLength,
      ...(this.d.budget?.snapshot().telemetry ?? {}),
    };
  }

  private publishTelemetry(): void {
    if (this.yielded) return;
    this.publishState();
    this.d.link.publishVolatile(this.topic('telemetry'), telemetryPayload(this.telemetry(), this.d.clock.now()));
  }
}

/** The kernel's view of a unit (bytes instead of hex). */
export function toKernelJob(unit: WorkUnit): KernelJob {
  if (unit.algo === 'duco-s1') return { algo: 'duco-s1', lastHash: unit.last_hash, expectedHash: hexToBytes(unit.expected_hash) };
  return { algo: unit.algo, header: hexToBytes(unit.header), target: hexToBytes(unit.target) };
}
