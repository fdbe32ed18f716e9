// `npm run bench:footprint -- [--json] [--rounds N] [--threads 1,2] [--compare BIN]... [--node PATH]`
// The agent's memory and start-up as a device sees them: a real `hashling agent`
// (the compiled bin, plain node) against a private Mosquitto started here. Per
// thread count it reports RSS (VmRSS) and PSS (smaps_rollup, where the kernel has
// it) idle after start settled and while hashing an endless unit, the OS threads,
// and the seconds from spawning the process to the retained `status` online. The
// first start of a round uses an empty state directory (nothing cached), the later
// ones the directory it filled. --compare runs other bins (e.g. an older checkout)
// in the same rounds, interleaved, so all see the same machine load.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { startMosquitto, type Broker } from '../harness/mosquitto.ts';

const DEFAULT_BIN = fileURLToPath(new URL('../bin/hashling.js', import.meta.url));
// The genesis header with an impossible target: no shares, the unit never ends.
const ENDLESS_UNIT = {
  v: 1, algo: 'sha256d', job_id: 'fp', nonce_start: 0, nonce_end: 0xffffffff,
  header: '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d00000000',
  target: '00'.repeat(32),
};

interface Args { json: boolean; rounds: number; threads: number[]; compare: string[]; node: string; settleMs: number; sampleMs: number }

function parseArgs(argv: string[]): Args {
  const a: Args = { json: false, rounds: 1, threads: [1, 2], compare: [], node: process.execPath, settleMs: 3000, sampleMs: 2000 };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    if (f === '--json') a.json = true;
    else if (f === '--rounds') a.rounds = Number(argv[++i]);
    else if (f === '--threads') a.threads = argv[++i]!.split(',').map(Number);
    else if (f === '--compare') a.compare.push(argv[++i]!);
    else if (f === '--node') a.node = argv[++i]!;
    else if (f === '--settle-ms') a.settleMs = Number(argv[++i]);
    else throw new Error(`unknown flag ${f}`);
  }
  if (!a.threads.every((t) => Number.isInteger(t) && t > 0)) throw new Error('--threads takes a comma list of positive integers');
  return a;
}

interface Mem { rss_mb: number; pss_mb: number | null; os_threads: number }

/** RSS, PSS and thread count of pid from /proc (MiB). */
function memOf(pid: number): Mem {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
  const threads = Number(/Threads:\s+(\d+)/.exec(status)?.[1]);
  let pss: number | null = null;
  try {
    pss = Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1]) / 1024;
  } catch {
    pss = null; // kernels before 4.14 have no smaps_rollup
  }
  return { rss_mb: rss, pss_mb: pss, os_threads: threads };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round1 = (x: number) => Math.round(x * 10) / 10;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Median of samples taken every 250 ms for `ms` (peaks of one GC cycle do not count). */
async function sampleMem(pid: number, ms: number): Promise<Mem> {
  const xs: Mem[] = [];
  const end = Date.now() + ms;
  do {
    xs.push(memOf(pid));
    await sleep(250);
  } while (Date.now() < end);
  const pss = xs.map((x) => x.pss_mb).filter((x): x is number => x !== null);
  return {
    rss_mb: round1(median(xs.map((x) => x.rss_mb))),
    pss_mb: pss.length ? round1(median(pss)) : null,
    os_threads: Math.max(...xs.map((x) => x.os_threads)),
  };
}

/** A fake sysfs root with one cool CPU zone: the budget never throttles the agent measured. */
function coolSysfs(): string {
  const root = mkdtempSync(join(tmpdir(), 'hashling-fp-sysfs-'));
  const zone = join(root, 'class', 'thermal', 'thermal_zone0');
  mkdirSync(zone, { recursive: true });
  writeFileSync(join(zone, 'type'), 'cpu-thermal\n');
  writeFileSync(join(zone, 'temp'), '45000\n');
  return root;
}

interface Msg { topic: string; json: any; at: number }

/** The device's topics as they arrive, and a wait for the one a step needs. */
class Watch {
  readonly messages: Msg[] = [];
  private constructor(readonly client: MqttClient) {}

  static async open(url: string, filter: string): Promise<Watch> {
    const w = new Watch(await mqtt.connectAsync(url, { reconnectPeriod: 200 }));
    w.client.on('message', (topic, payload) => {
      let json: unknown = null;
      try { json = JSON.parse(payload.toString()); } catch { json = null; }
      w.messages.push({ topic, json, at: Date.now() });
    });
    await w.client.subscribeAsync(filter, { qos: 1 });
    return w;
  }

  async wait(topic: string, pred: (json: any) => boolean, timeoutMs: number): Promise<Msg> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const m = this.messages.find((x) => x.topic === topic && pred(x.json));
      if (m) return m;
      if (Date.now() > end) throw new Error(`no ${topic} within ${timeoutMs} ms`);
      await sleep(20);
    }
  }

  last(topic: string): Msg | undefined {
    return this.messages.filter((x) => x.topic === topic).at(-1);
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

interface RunFigures { threads: number; cached_start: boolean; online_s: number; idle: Mem; hashing: Mem; hashrate_hps: number | null }

async function runAgent(args: Args, bin: string, broker: Broker, sysfs: string, stateDir: string, threads: number, id: string): Promise<RunFigures> {
  // Anything but the health file in the state directory is a cache from an earlier start.
  const cachedStart = readdirSync(stateDir).some((f) => !f.startsWith('health-'));
  const c = await Watch.open(broker.url, `hashling/${id}/#`);
  const env = {
    ...process.env,
    HASHLING_SENSORS_SYSFS_ROOT: sysfs,
    HASHLING_HEALTH_STATE_DIR: stateDir,
    HASHLING_BUDGET_RAMP_UP_PER_S: '100',
    HASHLING_TELEMETRY_INTERVAL_S: '1',
  };
  const spawnedAt = Date.now();
  const proc: ChildProcess = spawn(args.node, [bin, 'agent', '--broker', broker.url, '--device-id', id, '--threads', String(threads)], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d) => { err += d; });
  try {
    const online = await c.wait(`hashling/${id}/status`, (j) => j?.state === 'online', 120_000).catch((e) => { throw new Error(`${(e as Error).message}\n${err}`); });
    const onlineS = (online.at - spawnedAt) / 1000;
    await sleep(args.settleMs);
    const idle = await sampleMem(proc.pid!, args.sampleMs);
    await c.client.publishAsync(`hashling/${id}/work`, JSON.stringify({ ...ENDLESS_UNIT, unit_id: `${id}-u` }), { qos: 1 });
    await c.wait(`hashling/${id}/state`, (j) => j?.mode === 'hashing', 30_000);
    await sleep(args.settleMs);
    const hashing = await sampleMem(proc.pid!, args.sampleMs);
    const tele = c.last(`hashling/${id}/telemetry`)?.json;
    return { threads, cached_start: cachedStart, online_s: Math.round(onlineS * 100) / 100, idle, hashing, hashrate_hps: tele?.hashrate_hps?.['10s'] ?? null };
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => (proc.exitCode !== null ? r(null) : proc.once('exit', r)));
    await c.close();
  }
}

interface BinFigures { bin: string; runs: RunFigures[] }

function summary(runs: RunFigures[]): Record<string, unknown> {
  const at = (t: number) => runs.filter((r) => r.threads === t);
  const med = (xs: number[]) => (xs.length ? round1(median(xs)) : null);
  const hashRss = (t: number) => med(at(t).map((r) => r.hashing.rss_mb));
  const ts = [...new Set(runs.map((r) => r.threads))].sort((a, b) => a - b);
  const top = ts.at(-1)!;
  const perThread = ts.length > 1 && hashRss(top) !== null && hashRss(ts[0]!) !== null
    ? round1((hashRss(top)! - hashRss(ts[0]!)!) / (top - ts[0]!)) : null;
  return {
    idle_rss_mb: Object.fromEntries(ts.map((t) => [t, med(at(t).map((r) => r.idle.rss_mb))])),
    idle_pss_mb: Object.fromEntries(ts.map((t) => [t, med(at(t).map((r) => r.idle.pss_mb ?? NaN))])),
    hashing_rss_mb: Object.fromEntries(ts.map((t) => [t, hashRss(t)])),
    hashing_pss_mb: Object.fromEntries(ts.map((t) => [t, med(at(t).map((r) => r.hashing.pss_mb ?? NaN))])),
    per_thread_mb: perThread,
    online_first_start_s: med(runs.filter((r) => !r.cached_start).map((r) => r.online_s)),
    online_cached_start_s: med(runs.filter((r) => r.cached_start).map((r) => r.online_s)),
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const bins = [DEFAULT_BIN, ...args.compare];
  const broker = await startMosquitto();
  const sysfs = coolSysfs();
  const figures: BinFigures[] = bins.map((bin) => ({ bin, runs: [] }));
  const say = (line: string) => { if (!args.json) process.stderr.write(`bench:footprint ${line}\n`); };
  try {
    for (let r = 0; r < args.rounds; r++) {
      // Interleaved: each bin's runs of this round back to back, the order alternating.
      const order = r % 2 === 0 ? figures : [...figures].reverse();
      for (const f of order) {
        const stateDir = mkdtempSync(join(tmpdir(), 'hashling-fp-state-'));
        try {
          for (const t of args.threads) {
            const run = await runAgent(args, f.bin, broker, sysfs, stateDir, t, `fp-${r}-${t}`);
            f.runs.push(run);
            say(`${f.bin} threads=${t} online ${run.online_s}s${run.cached_start ? ' (cached)' : ''} idle ${run.idle.rss_mb} MB hashing ${run.hashing.rss_mb} MB (pss ${run.hashing.pss_mb}) ${run.hashing.os_threads} threads`);
          }
        } finally {
          rmSync(stateDir, { recursive: true, force: true });
        }
      }
    }
  } finally {
    await broker.stop();
    rmSync(sysfs, { recursive: true, force: true });
  }
  const out = {
    node: process.version,
    node_used: args.node,
    rounds: args.rounds,
    results: figures.map((f) => ({ bin: f.bin, ...summary(f.runs), runs: f.runs })),
  };
  process.stdout.write(`${JSON.stringify(out, null, args.json ? 0 : 2)}\n`);
}

await main();
