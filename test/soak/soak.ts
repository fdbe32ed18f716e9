// `npm run test:soak -- [--minutes 15] [--devices 200] [--job-interval-s 15]`: a
// long run of the whole system — Mosquitto, the coordinator (child process, demo
// source, a clean job every 15 s), one real agent process and N virtual devices — sampling every
// 30 s the coordinator's RSS and event-loop lag, the agent's RSS and the
// simulator's lag. Passes when the last third of the run is not worse than the
// first third beyond noise (RSS +25 %, lag p99 ≤ 2× and ≤ 100 ms) and no share
// was lost. Not part of `npm test` (15 minutes); docs/reliability.md has figures.
import { fork } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { VERSION } from '../../agent/deviceInfo.ts';
import { loadConfig } from '../../config/load.ts';
import { FleetSimulator } from '../../simulator/fleetSimulator.ts';
import { startMosquitto } from '../../harness/mosquitto.ts';
import { spawnAgent } from '../helpers/agentProcess.ts';
import { coolSysfs } from '../helpers/coolSysfs.ts';
import { rssMb } from '../helpers/procStat.ts';

const arg = (name: string, def: number) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : def; };
const minutes = arg('--minutes', 15);
const devices = arg('--devices', 200);
// The coordinator keeps the units of its last 32 jobs (Dispatcher keepJobs) so late
// shares read `stale`: its memory grows until 32 jobs have passed. A job every
// 15 s reaches that bound after 8 minutes, inside the run, so the last third
// measures the steady state rather than the fill.
const jobIntervalS = arg('--job-interval-s', 15);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Sample { t_s: number; coord_rss_mb: number; coord_lag_p99_ms: number; agent_rss_mb: number; sim_rss_mb: number; sim_lag_p99_ms: number; verified: number }

const broker = await startMosquitto({ extraConfig: 'max_queued_messages 0\nset_tcp_nodelay true\n' });
const child = fork(fileURLToPath(new URL('../../bench/fleetCoordinator.ts', import.meta.url)), ['--broker', broker.url], {
  execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
  env: { ...process.env, HASHLING_COORDINATOR_SOURCE: 'demo', HASHLING_COORDINATOR_DEMO_JOB_INTERVAL_S: String(jobIntervalS), HASHLING_COORDINATOR_UNIT_SECONDS: '10', HASHLING_COORDINATOR_INITIAL_HASHRATE_HPS: '100' },
});
const ask = <T>(cmd: string, type: string) => new Promise<T>((resolve) => {
  const on = (m: { type: string }) => { if (m.type === type) { child.off('message', on); resolve(m as T); } };
  child.on('message', on);
  child.send({ cmd });
});
await ask('noop', 'ready');
const agent = spawnAgent(['--broker', broker.url, '--device-id', 'real-agent', '--threads', '1'], { HASHLING_SENSORS_SYSFS_ROOT: coolSysfs().root, HASHLING_TELEMETRY_INTERVAL_S: '10', HASHLING_BUDGET_MAX_CPU_PERCENT: '25' });
const sim = new FleetSimulator({
  devices, prefix: 'soak', base: 'hashling', broker: loadConfig({ argv: ['--broker', broker.url], env: {} }).broker,
  hashrateHps: 100, rampPerS: 200, queueSize: 8, telemetryS: 10, version: VERSION,
});
await sim.start();
await sim.waitConnected(60_000);
const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();
const samples: Sample[] = [];
const t0 = Date.now();
await ask('reset', 'reset');
while (Date.now() - t0 < minutes * 60_000) {
  await sleep(Math.min(30_000, minutes * 60_000));
  const r = await ask<{ rss: number; lag_p99_ms: number; verdicts_total: number }>('report', 'report');
  await ask('reset', 'reset');
  samples.push({
    t_s: Math.round((Date.now() - t0) / 1000), coord_rss_mb: Math.round(r.rss / 2 ** 20), coord_lag_p99_ms: Math.round(r.lag_p99_ms * 10) / 10,
    agent_rss_mb: Math.round(rssMb(agent.proc.pid!)), sim_rss_mb: Math.round(process.memoryUsage().rss / 2 ** 20),
    sim_lag_p99_ms: Math.round((lag.percentile(99) / 1e6) * 10) / 10, verified: r.verdicts_total,
  });
  lag.reset();
  process.stderr.write(`soak ${JSON.stringify(samples.at(-1))}\n`);
}
const drained = await sim.drain(30_000);
const published = sim.totals().shares_published;
let judged = 0;
for (let i = 0; i < 50; i++) {
  // The virtual devices' shares only: the real agent's are not counted in `published`.
  judged = (await ask<{ verdicts_by_prefix: Record<string, number> }>('report', 'report')).verdicts_by_prefix.soak ?? 0;
  if (judged >= published) break;
  await sleep(200);
}
await sim.stop();
agent.proc.kill('SIGTERM');
child.send({ cmd: 'stop' });
await sleep(1000);
await broker.stop();

const third = Math.max(1, Math.floor(samples.length / 3));
const avg = (xs: Sample[], k: keyof Sample) => xs.reduce((a, s) => a + s[k], 0) / xs.length;
const first = samples.slice(0, third);
const last = samples.slice(-third);
const problems: string[] = [];
for (const k of ['coord_rss_mb', 'agent_rss_mb', 'sim_rss_mb'] as const) {
  if (avg(last, k) > avg(first, k) * 1.25 + 8) problems.push(`${k} grew: ${avg(first, k).toFixed(0)} → ${avg(last, k).toFixed(0)} MiB`);
}
for (const k of ['coord_lag_p99_ms', 'sim_lag_p99_ms'] as const) {
  if (avg(last, k) > Math.max(2 * avg(first, k), 20) || avg(last, k) > 100) problems.push(`${k} grew: ${avg(first, k).toFixed(1)} → ${avg(last, k).toFixed(1)} ms`);
}
if (judged !== published) problems.push(`lost shares: ${published - judged} of ${published}`);
const summary = { minutes, devices, job_interval_s: jobIntervalS, samples: samples.length, shares_published: published, shares_judged: judged, outboxes_drained: drained, first_third: Object.fromEntries((['coord_rss_mb', 'coord_lag_p99_ms', 'agent_rss_mb', 'sim_rss_mb', 'sim_lag_p99_ms'] as const).map((k) => [k, Math.round(avg(first, k) * 10) / 10])), last_third: Object.fromEntries((['coord_rss_mb', 'coord_lag_p99_ms', 'agent_rss_mb', 'sim_rss_mb', 'sim_lag_p99_ms'] as const).map((k) => [k, Math.round(avg(last, k) * 10) / 10])), problems };
process.stdout.write(`${JSON.stringify(summary)}\n`);
process.exit(problems.length === 0 ? 0 : 1);
