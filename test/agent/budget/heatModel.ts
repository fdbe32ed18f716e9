// An outside heat model for the closed-loop acceptance test: every second it
// reads the agent process's REAL CPU time from /proc/<pid>/stat, turns it into
// watts with the power model, advances a first-order RC plant, and rewrites the
// fake sysfs temperature file the agent reads (atomically, by rename, so the
// agent never sees a half-written value).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** utime + stime of a process in seconds (proc(5): fields 14 and 15). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

export interface HeatParams { ambient_c: number; r_c_per_w: number; tau_s: number; idle_w: number; active_w_per_core: number }

export interface Sample { t_s: number; busy: number; power_w: number; temp_c: number }

export class HeatModel {
  readonly samples: Sample[] = [];
  temp: number;
  private timer: NodeJS.Timeout | null = null;
  private prev: { at: number; cpu: number } | null = null;
  private writing = true;
  private readonly t0 = performance.now();
  readonly zoneDir: string;

  constructor(root: string, readonly p: HeatParams) {
    this.zoneDir = join(root, 'class/thermal/thermal_zone0');
    mkdirSync(this.zoneDir, { recursive: true });
    writeFileSync(join(this.zoneDir, 'type'), 'cpu-thermal\n');
    this.temp = p.ambient_c + p.r_c_per_w * p.idle_w; // idle equilibrium
    this.write();
  }

  private write(): void {
    if (!this.writing) return;
    const tmp = join(this.zoneDir, '.temp.tmp');
    writeFileSync(tmp, `${Math.round(this.temp * 1000)}\n`);
    renameSync(tmp, join(this.zoneDir, 'temp'));
  }

  /** Starts following process `pid`, one step per second. */
  follow(pid: number): void {
    this.timer = setInterval(() => {
      const at = performance.now();
      let cpu: number;
      try { cpu = cpuSeconds(pid); } catch { return; } // process gone
      if (this.prev !== null) {
        const dt = (at - this.prev.at) / 1000;
        const busy = Math.max(0, (cpu - this.prev.cpu) / dt);
        const power = this.p.idle_w + this.p.active_w_per_core * busy;
        const steady = this.p.ambient_c + this.p.r_c_per_w * power;
        this.temp = steady + (this.temp - steady) * Math.exp(-dt / this.p.tau_s);
        this.samples.push({ t_s: (at - this.t0) / 1000, busy, power_w: power, temp_c: this.temp });
        this.write();
      }
      this.prev = { at, cpu };
    }, 1000);
  }

  /** Removes the temperature file and stops rewriting it (a sensor that vanished). */
  removeSensor(): void {
    this.writing = false;
    writeFileSync(join(this.zoneDir, '.gone'), '');
    renameSync(join(this.zoneDir, 'temp'), join(this.zoneDir, '.gone'));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Samples with t in [from, to) seconds since the model was created. */
  window(from: number, to: number): Sample[] {
    return this.samples.filter((s) => s.t_s >= from && s.t_s < to);
  }
}
