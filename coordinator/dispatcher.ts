// The coordinator's pure core: devices, jobs, units and shares, with no I/O and
// an explicit clock. The component (coordinator.ts) feeds it MQTT and pool
// events and sends out what it returns.
//
// Dispatch rules (docs/protocol.md, "Carving and dispatch"):
// - each online device holds `aheadUnits` unissued-to-finish units (one running,
//   one queued) so it never idles between results;
// - a unit covers hashrate × unit_seconds nonces, hashrate from verified shares
//   once there are enough, else the benchmark from `info`, else a default;
// - a clean job voids every other job: each online device gets fresh units, the
//   first marked `clean` so the agent cancels the old ones at once;
// - a job whose pool job id was reused voids the job it replaces the same way
//   for the devices that hold its units;
// - units take their extranonce2 from the pool session's space, never from a
//   per-job counter (carving.ts), so a re-sent template yields new headers;
// - when the pool is lost, devices holding units get a halt unit (below) and
//   stop hashing dead work within one batch.
import { Extranonce2Space, JobCarver, unitNonceCount, type CarvedUnit, type CarverOptions } from './carving.ts';
import { TokenBucket } from '../lifecycle/tokenBucket.ts';
import { ClaimCheck, VerifiedHashrate } from './hashrate.ts';
import type { ShareSubmission, SourceJob } from './source.ts';
import { hashesPerShare, type PoolAlgo } from './stratum/difficulty.ts';
import { chooseUnitTarget } from './vardiff.ts';
import { REJECT_REASONS, verifyShare, type HashAt, type RejectReason, type ShareClaim, type UnitRecord } from './verify.ts';

export interface DispatcherOptions {
  unitSeconds: number;
  shareIntervalS: number;
  /** H/s assumed for a device with neither a benchmark nor verified shares. */
  initialHashrateHps: number;
  aheadUnits?: number;
  /** Replaced jobs remembered so late shares read `stale`, not `unknown_unit`. */
  keepJobs?: number;
  /** Pool sessions whose extranonce2 counters are remembered (a resumed session continues its own). */
  keepSpaces?: number;
  carver?: CarverOptions;
  hashAt: HashAt;
}

export type DeviceState = 'online' | 'offline' | 'lost';

export interface DeviceCounters {
  accepted: number;
  rejected: Record<RejectReason, number>;
  /** Shares that met the pool target and were sent upstream. */
  submitted: number;
  pool_accepted: number;
  pool_rejected: number;
  units_issued: number;
  /** Σ 2^256/(target+1) over verified shares: the hashes they prove (earnings, economics/). */
  verified_hashes: number;
  /** The same over pool-accepted shares, at the pool's target. */
  pool_hashes: number;
}

interface Device {
  id: string;
  state: DeviceState;
  /** Per algorithm, from `info`. */
  benchmarkHps: Partial<Record<PoolAlgo, number>>;
  outstanding: Map<string, CarvedUnit>;
  hashrate: VerifiedHashrate;
  claims: ClaimCheck;
  counters: DeviceCounters;
  /** Verified shares per unit, until the unit's result arrives. */
  unitShares: Map<string, number>;
  /** Verdicts of recent shares by "<unit_id>/<nonce>", oldest first (re-sent shares get the same answer). */
  judged: Map<string, ShareVerdict>;
  /** Units this device may still be given: a device that flaps online/offline gets no more than one that stays. */
  carving: TokenBucket;
  /** `ts` of the `online` status in force: the agent's connect time, new at each of its connects. */
  connectedAt: number | null;
}

interface JobRecord {
  job: SourceJob;
  carver: JobCarver;
  live: boolean;
  units: Set<string>;
}

export interface Dispatch {
  deviceId: string;
  units: CarvedUnit[];
  /**
   * Instead of units: the device must drop everything it holds (the pool
   * session is gone). Sent as one clean unit of a job that cannot yield a share.
   */
  halt?: boolean;
}

export type ShareVerdict = { ok: true; hash: string } | { ok: false; reason: RejectReason; detail: string };

export interface ShareOutcome {
  verdict: ShareVerdict;
  /** Set when the share also meets the pool target and should go upstream. */
  forward: ShareSubmission | null;
  /**
   * The same share judged before (an agent re-sends a share until it is
   * acknowledged): the earlier verdict, counted once, never forwarded twice.
   */
  repeat: boolean;
}

/** Share keys remembered per device for re-sent shares (a few minutes of a fast device's shares). */
const JUDGED_LIMIT = 4096;

export interface ResultClaim {
  unit_id: string;
  status: string;
  hashes: number;
}

function zeroReasons(): Record<RejectReason, number> {
  return Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Record<RejectReason, number>;
}

export class Dispatcher {
  private readonly opts: DispatcherOptions;
  private readonly devices = new Map<string, Device>();
  /** Insertion-ordered: oldest first. */
  private readonly jobs = new Map<string, JobRecord>();
  private readonly units = new Map<string, UnitRecord>();
  /** Extranonce2 spaces by `${extranonce1}/${size}`, insertion-ordered (oldest first). */
  private readonly spaces = new Map<string, Extranonce2Space>();
  private current: JobRecord | null = null;
  private spaceExhausted: string | null = null;

  constructor(opts: DispatcherOptions) {
    this.opts = opts;
  }

  get currentJob(): SourceJob | null {
    return this.current?.live ? this.current.job : null;
  }

  /**
   * A steady device takes about one unit per unit_seconds (plus `ahead` at each
   * clean job); this lets it take (ahead + 1) per unit_seconds with a burst of
   * 4 × ahead (a restart, a few clean jobs in a row). A device flipping its status
   * 100,000 times gets the burst and then a unit every few seconds, never a
   * unit per flip (units and extranonce2 space are not free).
   */
  private carveBucket(now: number): TokenBucket {
    const ahead = this.opts.aheadUnits ?? 2;
    return new TokenBucket(4 * ahead, (ahead + 1) / (this.opts.unitSeconds * 1000), now);
  }

  private device(id: string, now: number): Device {
    let d = this.devices.get(id);
    if (!d) {
      d = {
        id, state: 'offline', benchmarkHps: {}, outstanding: new Map(), hashrate: new VerifiedHashrate(now),
        claims: new ClaimCheck(), unitShares: new Map(), judged: new Map(), carving: this.carveBucket(now), connectedAt: null,
        counters: { accepted: 0, rejected: zeroReasons(), submitted: 0, pool_accepted: 0, pool_rejected: 0, units_issued: 0, verified_hashes: 0, pool_hashes: 0 },
      };
      this.devices.set(id, d);
    }
    return d;
  }

  /** Hashrate used to size units and targets: verified if confident, else benchmark, else default. */
  plannedHashrate(id: string, now: number, algo: PoolAlgo = this.current?.job.algo ?? 'sha256d'): number {
    const d = this.devices.get(id);
    if (!d) return this.opts.initialHashrateHps;
    if (d.hashrate.confident(now)) return d.hashrate.estimate(now);
    return d.benchmarkHps[algo] ?? this.opts.initialHashrateHps;
  }

  /**
   * Planned hashrate of every online device together (what the pool should size
   * its difficulty by); null while no device is online.
   */
  fleetHashrate(now: number, algo: PoolAlgo): number | null {
    let sum = 0;
    let n = 0;
    for (const d of this.devices.values()) {
      if (d.state !== 'online') continue;
      sum += this.plannedHashrate(d.id, now, algo);
      n++;
    }
    return n === 0 ? null : sum;
  }

  /** The session's extranonce2 space for a job (shared by every job with the same extranonce1). */
  private spaceFor(job: SourceJob): Extranonce2Space {
    const key = `${job.extranonce1}/${job.extranonce2Size}`;
    let sp = this.spaces.get(key);
    if (!sp) {
      sp = new Extranonce2Space(job.extranonce2Size, { first: this.opts.carver?.firstExtranonce2, minerLanes: this.opts.carver?.minerLanes });
      this.spaces.set(key, sp);
      const keep = this.opts.keepSpaces ?? 64;
      while (this.spaces.size > keep) this.spaces.delete(this.spaces.keys().next().value as string);
    } else {
      // Most recently used last, so the oldest session is the one forgotten.
      this.spaces.delete(key);
      this.spaces.set(key, sp);
    }
    return sp;
  }

  /**
   * The broker link dropped: units published meanwhile are lost, so every
   * device starts over (clean units) when its `online` status arrives again.
   */
  forgetQueues(): void {
    for (const d of this.devices.values()) {
      d.outstanding.clear();
      d.state = 'offline';
    }
  }

  /**
   * A new upstream job. Clean jobs void the others and re-issue work to every
   * online device; a job that reuses an earlier job's pool id voids that one,
   * and devices holding its units start over with clean units.
   */
  onJob(job: SourceJob, now: number): Dispatch[] {
    if (job.clean) for (const r of this.jobs.values()) r.live = false;
    const replaced = job.replaces !== null ? this.jobs.get(job.replaces) : undefined;
    if (replaced) replaced.live = false;
    const rec: JobRecord = { job, carver: new JobCarver(job, this.spaceFor(job), this.opts.carver), live: true, units: new Set() };
    this.jobs.set(job.id, rec);
    this.current = rec;
    this.spaceExhausted = null;
    this.forgetOldJobs();
    const out: Dispatch[] = [];
    for (const d of this.devices.values()) {
      if (d.state !== 'online') continue;
      const holdsReplaced = replaced !== undefined && [...d.outstanding.values()].some((u) => u.job.id === replaced.job.id);
      const clean = job.clean || holdsReplaced;
      if (clean) d.outstanding.clear();
      const units = this.fill(d, now, clean);
      if (units.length > 0) out.push({ deviceId: d.id, units });
    }
    return out;
  }

  /**
   * The upstream is gone: nothing may be submitted any more and no new units go
   * out. Every online device that still holds units gets a halt, so it stops
   * hashing work whose session no longer exists instead of finishing it.
   */
  voidAll(): Dispatch[] {
    for (const r of this.jobs.values()) r.live = false;
    this.current = null;
    const out: Dispatch[] = [];
    for (const d of this.devices.values()) {
      if (d.state === 'online' && d.outstanding.size > 0) out.push({ deviceId: d.id, units: [], halt: true });
      d.outstanding.clear();
    }
    return out;
  }

  /** The hash function shares are verified with (the Stratum endpoint uses it too). */
  get hashAtFn(): HashAt {
    return this.opts.hashAt;
  }

  /** True when `id` is a device that has spoken to this coordinator (status or info). */
  isKnownAgent(id: string): boolean {
    const d = this.devices.get(id);
    return d !== undefined && (d.state === 'online' || Object.keys(d.benchmarkHps).length > 0);
  }

  /** Set when the current session ran out of extranonce2 space (until the next job). */
  get exhausted(): string | null {
    return this.spaceExhausted;
  }

  isJobLive(jobId: string): boolean {
    return this.jobs.get(jobId)?.live === true;
  }

  /**
   * A device's status. `connectedAt` is the `ts` of an `online` status, which an
   * agent sets at each connect (docs/protocol.md): a new value while the device
   * already counts as online is a connection this coordinator did not see drop.
   * That happens after a broker restart with persistence: the stale retained
   * `online` arrives first and its units go to a device not yet subscribed (lost),
   * then the agent's own `online` comes with a new ts.
   */
  onStatus(id: string, state: DeviceState, now: number, connectedAt: number | null = null): Dispatch[] {
    const d = this.device(id, now);
    const was = d.state;
    const reconnected = was === 'online' && state === 'online' && connectedAt !== null && d.connectedAt !== null && connectedAt !== d.connectedAt;
    d.state = state;
    d.connectedAt = state === 'online' ? connectedAt : null;
    if (state !== 'online') {
      // Its unfinished nonce space is abandoned, never handed to anyone else.
      d.outstanding.clear();
      return [];
    }
    // A device that (re)connects may have lost its queue: start it clean.
    const fresh = was !== 'online' || reconnected;
    if (fresh) d.outstanding.clear();
    const units = this.fill(d, now, fresh);
    return units.length > 0 ? [{ deviceId: id, units }] : [];
  }

  /** `info` may carry benchmark hashrates (per algorithm) used until verified shares take over. */
  onInfo(id: string, benchmarkHps: Partial<Record<PoolAlgo, number>>, now: number): void {
    const d = this.device(id, now);
    for (const [algo, v] of Object.entries(benchmarkHps) as [PoolAlgo, number][]) {
      if (Number.isFinite(v) && v > 0) d.benchmarkHps[algo] = v;
    }
  }

  onShare(id: string, claim: ShareClaim, now: number): ShareOutcome {
    const d = this.device(id, now);
    const key = `${claim.unit_id}/${claim.nonce}`;
    const before = d.judged.get(key);
    if (before) return { verdict: before, forward: null, repeat: true };
    const v = verifyShare(id, claim, { lookup: (u) => this.units.get(u), isJobLive: (j) => this.isJobLive(j), hashAt: this.opts.hashAt });
    const remember = (verdict: ShareVerdict): ShareVerdict => {
      d.judged.set(key, verdict);
      if (d.judged.size > JUDGED_LIMIT) d.judged.delete(d.judged.keys().next().value as string);
      return verdict;
    };
    if (!v.ok) {
      d.counters.rejected[v.reason]++;
      return { verdict: remember({ ok: false, reason: v.reason, detail: v.detail }), forward: null, repeat: false };
    }
    const u = v.record.unit;
    d.counters.accepted++;
    d.counters.verified_hashes += hashesPerShare(u.target);
    d.hashrate.add(now, u.target);
    d.unitShares.set(u.unitId, (d.unitShares.get(u.unitId) ?? 0) + 1);
    let forward: ShareSubmission | null = null;
    if (v.hashValue <= u.job.poolTarget) {
      forward = { job: u.job, extranonce2: u.extranonce2, versionBits: u.versionBits, nonce: claim.nonce, hashValue: v.hashValue };
    }
    return { verdict: remember({ ok: true, hash: v.hash }), forward, repeat: false };
  }

  /** Counts a malformed share payload against the device. */
  onMalformedShare(id: string, now: number): void {
    this.device(id, now).counters.rejected.malformed++;
  }

  /** What became of a forwarded share: judged by the pool (at its target), or not sent at all (null). */
  onPoolVerdict(id: string, accepted: boolean | null, poolTarget?: bigint): void {
    const d = this.devices.get(id);
    if (!d || accepted === null) return;
    d.counters.submitted++;
    if (accepted) {
      d.counters.pool_accepted++;
      if (poolTarget !== undefined) d.counters.pool_hashes += hashesPerShare(poolTarget);
    } else d.counters.pool_rejected++;
  }

  /** A unit finished (done/expired/cancelled): check the hash claim and top the queue up. */
  onResult(id: string, r: ResultClaim, now: number): Dispatch[] {
    const d = this.device(id, now);
    const rec = this.units.get(r.unit_id);
    if (rec && rec.unit.deviceId === id) {
      const u = rec.unit;
      if (Number.isFinite(r.hashes) && r.hashes >= 0) {
        d.claims.addUnit(r.hashes, u.nonceEnd - u.nonceStart + 1, u.target, d.unitShares.get(u.unitId) ?? 0);
      }
      d.unitShares.delete(u.unitId);
    }
    if (!d.outstanding.delete(r.unit_id) || d.state !== 'online') return [];
    const units = this.fill(d, now, false);
    return units.length > 0 ? [{ deviceId: id, units }] : [];
  }

  /**
   * Periodic housekeeping: a unit past its expiry whose result never came (lost
   * message, agent restart) is dropped from the device's queue so it is refilled.
   */
  tick(now: number): Dispatch[] {
    const out: Dispatch[] = [];
    for (const d of this.devices.values()) {
      if (d.state !== 'online') continue;
      for (const [id, u] of d.outstanding) if (now > u.expiresAt + 5000) d.outstanding.delete(id);
      const units = this.fill(d, now, false);
      if (units.length > 0) out.push({ deviceId: d.id, units });
    }
    return out;
  }

  private fill(d: Device, now: number, clean: boolean): CarvedUnit[] {
    const rec = this.current;
    if (!rec || !rec.live) return [];
    // Units of replaced (non-clean) jobs stay valid, but new ones come from the newest job.
    for (const [id, u] of d.outstanding) if (!this.isJobLive(u.job.id)) d.outstanding.delete(id);
    const out: CarvedUnit[] = [];
    const ahead = this.opts.aheadUnits ?? 2;
    const hps = this.plannedHashrate(d.id, now, rec.job.algo);
    const target = chooseUnitTarget(hps, this.opts.shareIntervalS, rec.job.poolTarget);
    const count = unitNonceCount(hps, this.opts.unitSeconds);
    // Room for the running unit, the queued ones, and a slow device: 2 × ahead × unit_seconds.
    const expiresAt = now + Math.max(60_000, 2 * (ahead + 1) * this.opts.unitSeconds * 1000);
    while (d.outstanding.size < ahead && d.carving.take(now)) {
      const u = rec.carver.carve({ deviceId: d.id, nonceCount: count, target, now, expiresAt, clean: clean && out.length === 0 });
      if (!u) {
        // The session's extranonce2 space is used up: wait for a new session or set_extranonce.
        this.spaceExhausted = `${rec.job.extranonce1}/${rec.job.extranonce2Size}`;
        break;
      }
      d.outstanding.set(u.unitId, u);
      this.units.set(u.unitId, { unit: u, accepted: new Set() });
      rec.units.add(u.unitId);
      d.counters.units_issued++;
      out.push(u);
    }
    return out;
  }

  private forgetOldJobs(): void {
    const keep = this.opts.keepJobs ?? 32;
    while (this.jobs.size > keep) {
      const [id, rec] = this.jobs.entries().next().value as [string, JobRecord];
      for (const u of rec.units) this.units.delete(u);
      this.jobs.delete(id);
    }
  }

  /** Per-device view for stats. */
  deviceStats(now: number): Array<{ id: string; state: DeviceState; hashrate_hps: number; claims_flagged: boolean; outstanding: number } & DeviceCounters> {
    return [...this.devices.values()].map((d) => ({
      id: d.id, state: d.state, hashrate_hps: Math.round(d.hashrate.estimate(now)), claims_flagged: d.claims.flagged,
      outstanding: d.outstanding.size, ...d.counters, rejected: { ...d.counters.rejected },
    }));
  }

  get onlineCount(): number {
    let n = 0;
    for (const d of this.devices.values()) if (d.state === 'online') n++;
    return n;
  }
}
