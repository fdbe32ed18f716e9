// The coordinator of `npm run bench:fleet`, run as its own process so its CPU
// and RSS are measured alone. It is the production coordinator (createCoordinator,
// demo source) plus the onShareVerdict hook; the parent asks for figures over
// the IPC channel: {cmd:"reset"} starts a measurement window, {cmd:"report"}
// answers with the window's verdicts, latencies, CPU and RSS.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadConfig } from '../config/load.ts';
import { createCoordinator } from '../coordinator/fromConfig.ts';
import type { ShareVerdictEvent } from '../coordinator/coordinator.ts';

interface Window {
  startedAt: number;
  cpu: NodeJS.CpuUsage;
  latencies: number[];
  ok: number;
  rejected: Record<string, number>;
  unitsIssued: number;
}

const config = loadConfig({ argv: process.argv.slice(2) });
const byDevice = new Map<string, number>();
let win: Window;
const lag = monitorEventLoopDelay({ resolution: 10 });

function unitsIssued(): number {
  const s = coordinator.stats() as { devices: Record<string, { units_issued: number }> };
  return Object.values(s.devices).reduce((n, d) => n + d.units_issued, 0);
}

/** Verdicts per device-id prefix (the part before the first "-"), so a run can count its virtual devices apart. */
function byPrefix(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [id, n] of byDevice) { const p = id.split('-')[0]!; out[p] = (out[p] ?? 0) + n; }
  return out;
}

function reset(): void {
  win = { startedAt: Date.now(), cpu: process.cpuUsage(), latencies: [], ok: 0, rejected: {}, unitsIssued: unitsIssued() };
  lag.reset();
}

function onVerdict(e: ShareVerdictEvent): void {
  byDevice.set(e.device_id, (byDevice.get(e.device_id) ?? 0) + 1);
  if (!win) return;
  if (e.ok) win.ok++;
  else win.rejected[e.reason ?? 'unknown'] = (win.rejected[e.reason ?? 'unknown'] ?? 0) + 1;
  if (e.sent_ts !== null) win.latencies.push(e.verified_at - e.sent_ts);
}

const coordinator = createCoordinator(config, { log: (l) => process.stderr.write(`coordinator ${l}\n`), onShareVerdict: onVerdict });
await coordinator.start();
lag.enable();
reset();
process.send!({ type: 'ready' });

process.on('message', (m: { cmd: string }) => {
  if (m.cmd === 'reset') { reset(); process.send!({ type: 'reset' }); return; }
  if (m.cmd === 'report') {
    const cpu = process.cpuUsage(win.cpu);
    const stats = coordinator.stats() as { devices_online: number };
    process.send!({
      type: 'report', elapsed_ms: Date.now() - win.startedAt, cpu_us: cpu.user + cpu.system, rss: process.memoryUsage().rss,
      ok: win.ok, rejected: win.rejected, latencies: win.latencies, units_issued: unitsIssued() - win.unitsIssued,
      verdicts_total: [...byDevice.values()].reduce((a, b) => a + b, 0), verdicts_by_prefix: byPrefix(), devices_online: stats.devices_online,
      lag_p99_ms: lag.percentile(99) / 1e6, lag_max_ms: lag.max / 1e6,
    });
    return;
  }
  if (m.cmd === 'stop') void coordinator.stop().then(() => process.exit(0));
});
process.on('disconnect', () => void coordinator.stop().then(() => process.exit(0)));
