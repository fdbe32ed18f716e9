// CPU time and RSS of another process from /proc (Linux), to check that a
// process idles without spinning and that its memory stays bounded.
import { readFileSync } from 'node:fs';

const TICKS_PER_S = 100; // USER_HZ on every Linux the suite runs on

/** User + system CPU seconds used so far by pid. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICKS_PER_S;
}

/** Resident set size of pid in MiB. */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Fraction of one core pid used over the next ms milliseconds. */
export async function cpuShare(pid: number, ms: number): Promise<number> {
  const c0 = cpuSeconds(pid);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  return (cpuSeconds(pid) - c0) / ((performance.now() - t0) / 1000);
}
