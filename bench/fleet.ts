// `npm run bench:fleet -- --devices N --seconds S [--json]`: a private Mosquitto,
// the coordinator (demo source) as a child process, and N virtual agents in this
// process. Reports devices held, units dispatched/s, shares verified/s, share
// publish → verification latency (p50/p99), lost shares, and the coordinator's
// own CPU and RSS. docs/scaling.md records the figures.
import { fork, type ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { VERSION } from '../agent/deviceInfo.ts';
import { loadConfig } from '../config/load.ts';
import { FleetSimulator } from '../simulator/fleetSimulator.ts';
import { startMosquitto } from '../harness/mosquitto.ts';

interface Args {
  devices: number; seconds: number; json: boolean; hashrate: number; shareIntervalS: number; unitSeconds: number; jobIntervalS: number; rampPerS: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { devices: 200, seconds: 30, json: false, hashrate: 100, shareIntervalS: 20, unitSeconds: 30, jobIntervalS: 600, rampPerS: 250 };
  const map: Record<string, keyof Args> = {
    '--devices': 'devices', '--seconds': 'seconds', '--hashrate': 'hashrate', '--share-interval-s': 'shareIntervalS',
    '--unit-seconds': 'unitSeconds', '--job-interval-s': 'jobIntervalS', '--ramp-per-s': 'rampPerS',
  };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--json') { a.json = true; continue; }
    const key = map[argv[i]!];
    if (!key) throw new Error(`unknown flag ${argv[i]}`);
    (a as unknown as Record<string, number>)[key] = Number(argv[++i]);
  }
  return a;
}

interface Report {
  elapsed_ms: number; cpu_us: number; rss: number; ok: number; rejected: Record<string, number>; latencies: number[];
  units_issued: number; verdicts_total: number; devices_online: number; lag_p99_ms: number; lag_max_ms: number;
}

function request<T>(child: ChildProcess, cmd: string, type: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: { type: string }) => { if (m.type === type) { child.off('message', on); resolve(m as T); } };
    child.on('message', on);
    child.send({ cmd });
  });
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (args: Args, line: string) => { if (!args.json) process.stderr.write(`bench:fleet ${line}\n`); };

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  // Unlimited queues: Mosquitto drops QoS 1 messages beyond 1000 queued per client
  // by default, which would turn a coordinator hiccup into lost shares.
  const broker = await startMosquitto({ extraConfig: 'max_connections -1\nmax_queued_messages 0\nset_tcp_nodelay true\n' });
  const env = {
    ...process.env,
    HASHLING_COORDINATOR_SOURCE: 'demo',
    HASHLING_COORDINATOR_SHARE_INTERVAL_S: String(args.shareIntervalS),
    HASHLING_COORDINATOR_UNIT_SECONDS: String(args.unitSeconds),
    HASHLING_COORDINATOR_DEMO_JOB_INTERVAL_S: String(args.jobIntervalS),
    HASHLING_COORDINATOR_INITIAL_HASHRATE_HPS: String(args.hashrate),
  };
  const child = fork(fileURLToPath(new URL('./fleetCoordinator.ts', import.meta.url)), ['--broker', broker.url], {
    execArgv: ['--import', 'tsx'], env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let childErr = '';
  child.stderr!.on('data', (d) => { childErr = (childErr + d).slice(-4000); });
  const simLag = monitorEventLoopDelay({ resolution: 10 });
  const sim = new FleetSimulator({
    devices: args.devices, prefix: 'sim', base: 'hashling', broker: loadConfig({ argv: ['--broker', broker.url], env: {} }).broker,
    hashrateHps: args.hashrate, rampPerS: args.rampPerS, queueSize: 8, telemetryS: 10, version: VERSION,
  });
  try {
    await request(child, 'noop', 'ready');
    say(args, `broker ${broker.url}, coordinator pid ${child.pid}; starting ${args.devices} devices at ${args.rampPerS}/s`);
    const t0 = Date.now();
    await sim.start();
    const held = await sim.waitConnected(60_000);
    say(args, `${held}/${args.devices} connected in ${Date.now() - t0} ms; warming up`);
    // Every device gets its first units before the window opens.
    const deadline = Date.now() + 30_000;
    while (sim.devices.some((d) => d.counters.units_received === 0) && Date.now() < deadline) await sleep(200);
    await sleep(2000);
    await request(child, 'reset', 'reset');
    simLag.enable();
    const simCpu0 = process.cpuUsage();
    say(args, `measuring for ${args.seconds} s`);
    await sleep(args.seconds * 1000);
    const w = await request<Report>(child, 'report', 'report');
    const simCpu = process.cpuUsage(simCpu0);
    const connectedAtEnd = sim.connectedCount;
    simLag.disable();
    // Lost shares: stop finding new ones, wait until every device's outbox is
    // acknowledged, then until the coordinator has judged everything published.
    const drained = await sim.drain(30_000);
    const published = sim.totals().shares_published;
    let fin = await request<Report>(child, 'report', 'report');
    for (let i = 0; i < 50 && fin.verdicts_total < published; i++) { await sleep(200); fin = await request<Report>(child, 'report', 'report'); }
    const lat = w.latencies.sort((a, b) => a - b);
    const secs = w.elapsed_ms / 1000;
    const out = {
      devices: args.devices,
      devices_held: connectedAtEnd,
      coordinator_devices_online: w.devices_online,
      seconds: Math.round(secs * 10) / 10,
      units_per_s: Math.round((w.units_issued / secs) * 10) / 10,
      shares_verified_per_s: Math.round((w.ok / secs) * 10) / 10,
      p50_verify_ms: percentile(lat, 50),
      p99_verify_ms: percentile(lat, 99),
      max_verify_ms: lat.length ? lat[lat.length - 1] : null,
      shares_published: published,
      shares_judged: fin.verdicts_total,
      lost_shares: published - fin.verdicts_total,
      outboxes_drained: drained,
      rejected: w.rejected,
      coordinator_cpu: Math.round((w.cpu_us / 1e6 / secs) * 1000) / 1000,
      coordinator_rss_mb: Math.round((w.rss / 2 ** 20) * 10) / 10,
      coordinator_lag_p99_ms: Math.round(w.lag_p99_ms * 10) / 10,
      simulator_cpu: Math.round(((simCpu.user + simCpu.system) / 1e6 / secs) * 1000) / 1000,
      simulator_lag_p99_ms: Math.round((simLag.percentile(99) / 1e6) * 10) / 10,
      simulator_rss_mb: Math.round((process.memoryUsage().rss / 2 ** 20) * 10) / 10,
      hashrate_hps: args.hashrate, share_interval_s: args.shareIntervalS, unit_seconds: args.unitSeconds,
    };
    if (args.json) process.stdout.write(`${JSON.stringify(out)}\n`);
    else for (const [k, v] of Object.entries(out)) process.stdout.write(`${k.padEnd(26)} ${typeof v === 'object' ? JSON.stringify(v) : v}\n`);
    if (out.lost_shares !== 0) process.exitCode = 1;
  } catch (err) {
    process.stderr.write(`bench:fleet failed: ${(err as Error).message}\n${childErr}\n${broker.log()}\n`);
    process.exitCode = 1;
  } finally {
    await sim.stop();
    child.send({ cmd: 'stop' });
    await Promise.race([new Promise((r) => child.once('exit', r)), sleep(5000)]);
    if (child.exitCode === null) child.kill('SIGKILL');
    await broker.stop();
  }
}

await main();
