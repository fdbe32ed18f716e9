// The coordinator's Stratum V1 endpoint (coordinator.stratum_listen) for miners
// that cannot run the agent: cpuminer, Bitaxe, NerdMiner. It works like a farm
// proxy in front of the coordinator's own pool session: each connection gets
// its own extranonce1 carved from the upstream extranonce2 (minerWork.ts), its
// own vardiff, and every share is re-hashed before it counts; those that meet
// the pool's difficulty go upstream through the same JobSource as the agents'.
// Each authorized miner is a device of the fleet: retained status and info,
// telemetry (protocol/miners.ts) and Home Assistant discovery
// (protocol/homeAssistant.ts, kept up by transport/haDiscovery.ts); its TCP
// connection dropping is its Last Will (status `lost`).
//
// A Component: the constructor only assigns; start() reads the TLS and password
// files, listens and arms the telemetry timer on the injected clock; stop()
// closes every connection (status `offline`, a clean stop), the listener and
// the timer.
import { createServer, type Server, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { createServer as createTlsServer } from 'node:tls';
import { firstLine } from '../../config/load.ts';
import { systemClock, type Clock, type TimerHandle } from '../../lifecycle/clock.ts';
import type { Component } from '../../lifecycle/component.ts';
import { HashlingError } from '../../protocol/errors.ts';
import { buildMinerHaDiscovery, type DiscoveryMessage } from '../../protocol/homeAssistant.ts';
import { minerInfoPayload, minerModel, minerTelemetryPayload } from '../../protocol/miners.ts';
import { statusPayload } from '../../protocol/payloads.ts';
import { deviceTopic } from '../../protocol/topics.ts';
import type { ShareSubmission, SourceJob, SubmitOutcome } from '../source.ts';
import { hashesPerDifficulty, targetToDifficulty, type PoolAlgo } from '../stratum/difficulty.ts';
import type { HashAt } from '../verify.ts';
import { PrefixPool, type MinerJob } from './minerWork.ts';
import { MinerSession } from './minerSession.ts';
import type { EndpointAuth } from './workerId.ts';

export interface PresenceSink {
  /** Retained publish, kept and re-published after a broker reconnect. */
  retained(topic: string, payload: string): void;
  /** Live publish (telemetry). */
  live(topic: string, payload: string): void;
}

export interface EndpointDeps {
  host: string;
  port: number;
  /** PEM files: the endpoint speaks TLS when set. Read in start(). */
  tls?: { certFile: string; keyFile: string } | null;
  algo: PoolAlgo;
  /** Allowed device ids (empty: any). */
  workers: readonly string[];
  /** Required password (empty: any); passwordFile, when set, wins and is read in start(). */
  password: string;
  passwordFile?: string;
  /** First difficulty of a miner; 0: from initialHashrateHps × shareIntervalS. */
  startDifficulty: number;
  initialHashrateHps: number;
  shareIntervalS: number;
  maxClients: number;
  telemetryIntervalMs: number;
  /** mqtt.base_topic */
  base: string;
  /** Home Assistant discovery: the prefix and the upkeep that publishes it; null when off. */
  discovery: { prefix: string; announce(m: DiscoveryMessage): void } | null;
  /** The coordinator's version (miner info, discovery). */
  version: string;
  hashAt: HashAt;
  submit(share: ShareSubmission): Promise<SubmitOutcome>;
  /** Target of the pool's difficulty in force now (null: no session). */
  poolTarget(): bigint | null;
  /** Why `id` cannot be a miner (an agent device uses it), or null. */
  idInUse(id: string): string | null;
  presence: PresenceSink;
  log(line: string): void;
  clock?: Clock;
}

/** What a session sees of the endpoint. */
export interface EndpointContext {
  readonly algo: PoolAlgo;
  readonly auth: EndpointAuth;
  readonly shareIntervalS: number;
  readonly hashAt: HashAt;
  readonly clock: Clock;
  now(): number;
  log(line: string): void;
  startDifficulty(): number;
  currentJob(): MinerJob | null;
  /** The same upstream job under a new endpoint id (after a difficulty change). */
  reannounce(job: MinerJob): MinerJob;
  job(id: string): MinerJob | undefined;
  isLive(id: string): boolean;
  poolDifficulty(): number | null;
  poolTarget(): bigint | null;
  takePrefix(bytes: number): string | null;
  /** Registers the device id for this session; the reason when it cannot have it. */
  claim(id: string, s: MinerSession): string | null;
  onAuthorized(s: MinerSession): void;
  onClose(s: MinerSession, reason: string): void;
  /** Its socket is closed (after onClose, once any linger is over). */
  onGone(s: MinerSession): void;
  submit(share: ShareSubmission): Promise<SubmitOutcome>;
}

const KEEP_JOBS = 64;

export class StratumEndpoint implements Component {
  readonly name = 'stratum-endpoint';
  private readonly d: EndpointDeps;
  private server: Server | null = null;
  private readonly sessions = new Set<MinerSession>();
  /** Sessions ended by us whose socket still lingers (MinerSession.close). */
  private readonly closing = new Set<MinerSession>();
  private readonly byId = new Map<string, MinerSession>();
  private readonly prefixes = new PrefixPool();
  private readonly jobs = new Map<string, MinerJob>();
  private readonly live = new Set<string>();
  private current: MinerJob | null = null;
  private seq = 0;
  private connSeq = 0;
  private timer: TimerHandle | null = null;
  private ctx: EndpointContext | null = null;

  constructor(deps: EndpointDeps) {
    this.d = deps;
  }

  private get clock(): Clock {
    return this.d.clock ?? systemClock;
  }

  private now(): number {
    return this.clock.now();
  }

  /** Device ids of the miners connected and authorized now. */
  get deviceIds(): ReadonlySet<string> {
    return new Set(this.byId.keys());
  }

  /** The port actually bound (when configured as 0 in tests). */
  get port(): number {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : this.d.port;
  }

  /** Σ verified hashrate of the connected miners (60 s window), for the pool suggestion. */
  hashrate(): number {
    let h = 0;
    for (const s of this.byId.values()) h += s.hashrate(60_000);
    return h;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const d = this.d;
    const password = d.passwordFile ? firstLine(d.passwordFile).trim() : d.password;
    this.ctx = this.context({ workers: d.workers, password });
    const onConn = (socket: Socket) => this.accept(socket);
    let server: Server;
    try {
      server = d.tls ? createTlsServer({ cert: readFileSync(d.tls.certFile), key: readFileSync(d.tls.keyFile) }, onConn) : createServer(onConn);
    } catch (err) {
      throw new HashlingError('E_CONFIG', `coordinator.stratum_tls_cert/stratum_tls_key: not a usable PEM certificate and key (${(err as Error).message})`);
    }
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(d.port, d.host, () => { server.off('error', reject); resolve(); });
      });
    } catch (err) {
      // A port in use or not ours to bind is fixed in the config (or by stopping the other listener).
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new HashlingError('E_CONFIG', `coordinator.stratum_listen ${d.host}:${d.port}: cannot listen (${code})`);
    }
    this.server = server;
    server.on('error', (err) => d.log(`E_STRATUM endpoint: ${err.message}`));
    this.timer = this.clock.setInterval(() => this.publishTelemetry(), d.telemetryIntervalMs);
    d.log(`stratum endpoint listening on ${d.tls ? 'stratum+ssl' : 'stratum+tcp'}://${d.host}:${this.port}`);
  }

  /** Closes every miner (status `offline`, a clean stop), the listener and the telemetry timer. */
  async stop(): Promise<void> {
    if (this.timer !== null) this.clock.clearInterval(this.timer);
    this.timer = null;
    for (const id of this.byId.keys()) this.d.presence.retained(this.topic(id, 'status'), statusPayload('offline', this.now()));
    for (const s of [...this.sessions]) { this.byId.delete(s.deviceId ?? ''); s.close('coordinator stopping', true); }
    for (const s of [...this.closing]) s.close('coordinator stopping', true);
    this.closing.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** A new upstream job: announced to every miner (clean when the old work is void). */
  onJob(job: SourceJob): void {
    if (job.clean) this.live.clear();
    let replaced = false;
    if (job.replaces !== null) {
      for (const [id, mj] of this.jobs) if (mj.source.id === job.replaces && this.live.delete(id)) replaced = true;
    }
    const mj = this.add(job);
    for (const s of this.sessions) s.onJob(mj, job.clean || replaced);
  }

  /** The pool session is gone: every job is void; miners get the next one when it comes. */
  onVoid(): void {
    this.live.clear();
    this.current = null;
  }

  stats(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [id, s] of this.byId) {
      out[id] = { difficulty: s.difficulty, hashrate_hps: Math.round(s.hashrate(60_000)), ...s.counters, user_agent: s.userAgent };
    }
    return out;
  }

  private add(job: SourceJob): MinerJob {
    const mj: MinerJob = { id: (++this.seq).toString(16), source: job };
    this.jobs.set(mj.id, mj);
    this.live.add(mj.id);
    while (this.jobs.size > KEEP_JOBS) {
      const old = this.jobs.keys().next().value as string;
      this.jobs.delete(old);
      this.live.delete(old);
    }
    this.current = mj;
    return mj;
  }

  private accept(socket: Socket): void {
    if (this.sessions.size >= this.d.maxClients) {
      this.d.log(`E_STRATUM endpoint: refusing ${socket.remoteAddress}: ${this.d.maxClients} connections already`);
      socket.destroy();
      return;
    }
    const s = new MinerSession(++this.connSeq, socket, this.ctx!);
    this.sessions.add(s);
    s.start();
  }

  private context(auth: EndpointAuth): EndpointContext {
    const d = this.d;
    return {
      algo: d.algo, auth, shareIntervalS: d.shareIntervalS, hashAt: d.hashAt, clock: this.clock,
      now: () => this.now(),
      log: d.log,
      startDifficulty: () => d.startDifficulty > 0 ? d.startDifficulty : (d.initialHashrateHps * d.shareIntervalS) / hashesPerDifficulty(d.algo),
      currentJob: () => this.current,
      reannounce: (job) => (this.live.has(job.id) ? this.add(job.source) : job),
      job: (id) => this.jobs.get(id),
      isLive: (id) => this.live.has(id),
      poolDifficulty: () => { const t = d.poolTarget(); return t === null ? null : targetToDifficulty(t, d.algo); },
      poolTarget: () => d.poolTarget(),
      takePrefix: (bytes) => this.prefixes.take(bytes),
      claim: (id, s) => {
        const other = this.byId.get(id);
        if (other && other !== s) return `device ${id} is already connected`;
        const inUse = d.idInUse(id);
        if (inUse !== null) return inUse;
        this.byId.set(id, s);
        return null;
      },
      onAuthorized: (s) => this.online(s),
      onClose: (s, reason) => this.closed(s, reason),
      onGone: (s) => this.closing.delete(s),
      submit: (share) => d.submit(share),
    };
  }

  private topic(id: string, leaf: string): string {
    return deviceTopic(this.d.base, id, leaf);
  }

  private online(s: MinerSession): void {
    const id = s.deviceId!;
    const now = this.now();
    const info = minerInfoPayload({ userAgent: s.userAgent, worker: [...s.workers][0]!, algo: this.d.algo, coordinatorVersion: this.d.version, remote: s.remote }, now);
    // Info before status, as agents do, so a reader never sees an online device without its info.
    this.d.presence.retained(this.topic(id, 'info'), info);
    this.d.presence.retained(this.topic(id, 'status'), statusPayload('online', now));
    this.d.discovery?.announce(buildMinerHaDiscovery({ base: this.d.base, id, prefix: this.d.discovery.prefix, version: this.d.version, model: minerModel(s.userAgent) }));
    this.d.log(`miner ${id} (${s.userAgent ?? 'unknown miner'}) from ${s.remote ?? '?'} authorized; extranonce1 ${s.prefix}, extranonce2 ${s.extranonce2Size} bytes, difficulty ${s.difficulty}`);
  }

  private closed(s: MinerSession, reason: string): void {
    this.sessions.delete(s);
    this.closing.add(s);
    if (s.prefix !== null) this.prefixes.release(s.prefix);
    const id = s.deviceId;
    if (id === null || this.byId.get(id) !== s) return;
    this.byId.delete(id);
    // The Last Will of a miner: its connection is gone without a clean stop.
    this.d.presence.retained(this.topic(id, 'status'), statusPayload('lost', this.now()));
    this.d.log(`miner ${id} lost: ${reason}`);
  }

  private publishTelemetry(): void {
    for (const [id, s] of this.byId) {
      const snap = s.snapshot();
      const rejected = Object.values(s.counters.rejected).reduce((a, b) => a + b, 0);
      this.d.presence.live(this.topic(id, 'telemetry'), minerTelemetryPayload({
        hashrate_hps: snap.hashrate, shares_found: s.counters.accepted, shares_rejected: rejected, rejected: { ...s.counters.rejected },
        difficulty: s.difficulty, pool_submitted: s.counters.pool_submitted, pool_accepted: s.counters.pool_accepted, uptime_s: snap.uptimeS,
      }, this.now()));
    }
  }
}
