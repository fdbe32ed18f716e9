// The status file behind `hashling health`: written every interval by the
// running process (agent or coordinator), atomically (temp file + rename, so a
// reader never sees half a file), removed on a clean stop. A write that fails
// (disk full, read-only mount) is logged once per error code and retried on the
// next tick: the file then goes stale and the health check says so, which is the
// report an operator needs.
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock, type Clock, type TimerHandle } from './clock.ts';
import type { Component } from './component.ts';

export interface HealthSnapshot {
  connected: boolean;
  /** Anything else worth showing (mode, outbox, devices…). */
  detail: Record<string, unknown>;
}

export interface HealthFileOptions {
  dir: string;
  role: 'agent' | 'coordinator';
  intervalMs: number;
  snapshot: () => HealthSnapshot;
  log: (line: string) => void;
  clock?: Clock;
  /** Injectable for tests of failing disks. */
  write?: (path: string, data: string) => Promise<void>;
}

/** Where `role` keeps its status file inside `dir`. */
export function healthFilePath(dir: string, role: 'agent' | 'coordinator'): string {
  return join(dir, `health-${role}.json`);
}

export class HealthFile implements Component {
  readonly name = 'health';
  private readonly o: HealthFileOptions;
  private timer: TimerHandle | null = null;
  private startedAt = 0;
  private lastConnected: number | null = null;
  private writing: Promise<void> | null = null;
  private readonly reported = new Set<string>();
  /** Writes that failed since start (tests and telemetry read it). */
  failures = 0;

  constructor(opts: HealthFileOptions) {
    this.o = opts;
  }

  get path(): string {
    return healthFilePath(this.o.dir, this.o.role);
  }

  private get clock(): Clock {
    return this.o.clock ?? systemClock;
  }

  private now(): number {
    return this.clock.now();
  }

  async start(): Promise<void> {
    this.startedAt = this.now();
    await mkdir(this.o.dir, { recursive: true }).catch(() => undefined);
    void this.tick();
    this.timer = this.clock.setInterval(() => void this.tick(), this.o.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer !== null) this.clock.clearInterval(this.timer);
    this.timer = null;
    await this.writing;
    await unlink(this.path).catch(() => undefined);
  }

  /** Writes one status now (skipped while the previous write is still going). */
  tick(): Promise<void> {
    if (this.writing) return this.writing;
    const now = this.now();
    const s = this.o.snapshot();
    if (s.connected) this.lastConnected = now;
    const body = JSON.stringify({
      v: 1, role: this.o.role, pid: process.pid, ts: now, started_ts: this.startedAt, interval_s: this.o.intervalMs / 1000,
      connected: s.connected, last_connected_ts: this.lastConnected, ...s.detail,
    });
    const write = this.o.write ?? (async (path: string, data: string) => {
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, data, { mode: 0o644 });
      await rename(tmp, path);
    });
    this.writing = write(this.path, `${body}\n`)
      .catch((err: NodeJS.ErrnoException) => {
        this.failures++;
        const code = err.code ?? 'EIO';
        if (!this.reported.has(code)) {
          this.reported.add(code);
          this.o.log(`warning E_INTERNAL: cannot write ${this.path}: ${code} ${err.message}; retrying every ${this.o.intervalMs / 1000} s`);
        }
      })
      .finally(() => { this.writing = null; });
    return this.writing;
  }
}

export interface HealthVerdict {
  healthy: boolean;
  reason: string;
}

/** Judges a status file's content: fresh, process alive, broker not gone too long. */
export function judgeHealth(raw: string, now: number, maxOfflineS: number, pidAlive: (pid: number) => boolean): HealthVerdict {
  let s: { ts?: unknown; pid?: unknown; interval_s?: unknown; connected?: unknown; last_connected_ts?: unknown; started_ts?: unknown };
  try {
    s = JSON.parse(raw);
  } catch {
    return { healthy: false, reason: 'status file is not JSON' };
  }
  if (typeof s.ts !== 'number' || typeof s.pid !== 'number') return { healthy: false, reason: 'status file lacks ts/pid' };
  const staleMs = Math.max(30_000, 3 * 1000 * (typeof s.interval_s === 'number' ? s.interval_s : 10));
  const age = now - s.ts;
  if (age > staleMs) return { healthy: false, reason: `status file is ${Math.round(age / 1000)} s old (the process stopped writing it)` };
  if (!pidAlive(s.pid)) return { healthy: false, reason: `process ${s.pid} is gone` };
  if (s.connected === true) return { healthy: true, reason: 'running, connected to the broker' };
  const since = typeof s.last_connected_ts === 'number' ? s.last_connected_ts : typeof s.started_ts === 'number' ? s.started_ts : s.ts;
  const offline = (now - since) / 1000;
  if (offline > maxOfflineS) return { healthy: false, reason: `broker unreachable for ${Math.round(offline)} s (health.max_offline_s ${maxOfflineS})` };
  return { healthy: true, reason: `running, reconnecting to the broker for ${Math.round(offline)} s` };
}
