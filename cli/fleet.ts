// `hashling fleet list|watch|cmd`: the operator's laptop view, talking to the
// broker only. Broker settings (URL, TLS CA/cert/key, username, password_file)
// come from the same config keys as the agent: --broker, --config, HASHLING_BROKER_*.
//
//   hashling fleet list  [--wait S]               table from retained status/info/state (+ telemetry seen within S)
//   hashling fleet watch [--interval S]           the same table, live
//   hashling fleet cmd <target> <verb> [json] [--timeout S]
//       target: a device id, group:<g> or all; collects responses on <base>/+/res/<verb>
//       (matched by transaction), shows who did not answer. Exit 0 all ok,
//       1 an error answer, 2 someone did not answer.
import { randomBytes } from 'node:crypto';
import { loadConfig, type HashlingConfig } from '../config/load.ts';
import { MqttLink } from '../transport/mqttLink.ts';
import { FleetView, fleetTable } from '../fleet/view.ts';
import { commandTopic, expectedResponders, parseTarget, summarize } from '../fleet/request.ts';
import { EXIT_CONFIG } from './log.ts';

const USAGE = 'usage: hashling fleet list [--wait S] | watch [--interval S] | cmd <device|group:<g>|all> <verb> [json] [--timeout S]  (broker: --broker URL, --config FILE, HASHLING_BROKER_*)\n';
const OWN_FLAGS = ['--wait', '--interval', '--timeout'];

/** Splits our own flags and positionals from the config flags handed to loadConfig. */
function splitArgs(argv: string[]): { positional: string[]; own: Record<string, number>; rest: string[] } {
  const positional: string[] = [];
  const own: Record<string, number> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (OWN_FLAGS.includes(a)) { own[a.slice(2)] = Number(argv[++i]); continue; }
    if (a.startsWith('--')) { rest.push(a); if (!a.includes('=') && i + 1 < argv.length && !argv[i + 1].startsWith('--')) rest.push(argv[++i]); continue; }
    positional.push(a);
  }
  return { positional, own, rest };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function connect(config: HashlingConfig): MqttLink {
  const link = new MqttLink({ broker: config.broker, clientId: `hashling-fleet-${randomBytes(4).toString('hex')}`, log: (l) => process.stderr.write(`fleet: ${l}\n`) });
  link.start();
  return link;
}

export async function fleetCommand(argv: string[]): Promise<number> {
  const { positional, own, rest } = splitArgs(argv);
  const [sub, ...args] = positional;
  if (!sub || !['list', 'watch', 'cmd'].includes(sub)) {
    process.stderr.write(USAGE);
    return 64;
  }
  let config: HashlingConfig;
  try {
    config = loadConfig({ argv: rest });
  } catch (err) {
    process.stderr.write(`hashling: E_CONFIG ${(err as Error).message}\n`);
    return EXIT_CONFIG;
  }
  const base = config.mqtt.base_topic;
  const view = new FleetView(base);
  let link: MqttLink;
  try {
    link = connect(config);
    for (const f of view.filters()) link.subscribe(f, 1, (m) => view.ingest(m.topic, m.payload, Date.now()));
    await link.waitConnected(10_000);
  } catch (err) {
    process.stderr.write(`hashling: ${(err as Error).message}\n`);
    return 1;
  }
  try {
    if (sub === 'list') {
      await sleep((own.wait ?? 2) * 1000);
      process.stdout.write(`${fleetTable(view.rows(), Date.now())}\n`);
      return 0;
    }
    if (sub === 'watch') return await watch(view, (own.interval ?? 2) * 1000);
    return await command(link, view, base, args, (own.timeout ?? 5) * 1000);
  } finally {
    await link.stop();
  }
}

function watch(view: FleetView, everyMs: number): Promise<number> {
  return new Promise((resolve) => {
    const draw = () => {
      const table = fleetTable(view.rows(), Date.now());
      // Redraw in place on a terminal; a pipe gets one table per interval.
      process.stdout.write(process.stdout.isTTY ? `\x1b[H\x1b[2J${new Date().toISOString()}\n${table}\n` : `${table}\n\n`);
    };
    const timer = setInterval(draw, everyMs);
    setTimeout(draw, Math.min(everyMs, 1000));
    const stop = () => { clearInterval(timer); process.off('SIGINT', stop); process.off('SIGTERM', stop); resolve(0); };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

async function command(link: MqttLink, view: FleetView, base: string, args: string[], timeoutMs: number): Promise<number> {
  const [rawTarget, verb, json] = args;
  if (!rawTarget || !verb) { process.stderr.write(USAGE); return 64; }
  let target;
  let body: Record<string, unknown> = {};
  try {
    target = parseTarget(rawTarget);
    if (json !== undefined) {
      const parsed = JSON.parse(json) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('arguments must be a JSON object');
      body = parsed as Record<string, unknown>;
    }
  } catch (err) {
    process.stderr.write(`hashling fleet: ${(err as Error).message}\n`);
    return 64;
  }
  const transaction = `fleet-${randomBytes(6).toString('hex')}`;
  const responses = new Map<string, any>();
  link.subscribe(`${base}/+/res/${verb}`, 1, (m) => {
    try {
      const r = JSON.parse(m.payload.toString());
      if (r?.transaction === transaction) responses.set(r.device ?? m.topic.split('/')[1], r);
    } catch { /* not a response */ }
  });
  // Retained status/info tell who should answer; give them a moment to arrive.
  await sleep(700);
  const { expected, offline } = expectedResponders(target, view.rows());
  link.publishVolatile(commandTopic(base, target, verb), JSON.stringify({ ...body, v: 1, transaction }), { qos: 1 });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !expected.every((id) => responses.has(id))) await sleep(50);
  // Devices the view did not know (no retained status yet) may still answer a group/all command.
  if (target.kind !== 'device') await sleep(Math.min(300, Math.max(0, deadline - Date.now())));
  const out = summarize(expected, offline, responses);
  process.stdout.write(`${out.table}\n`);
  return out.exitCode;
}
