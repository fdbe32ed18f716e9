// `hashling fleet list|watch|cmd|forget`: the operator's view over the broker.
// Broker settings come from the same config keys as the agent: --broker,
// --config, HASHLING_BROKER_*. Every subcommand gives up with exit 69 and one
// line when the broker cannot be reached within --timeout.
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../config/load.ts';
import type { HashlingConfig } from '../config/schema.ts';
import { FleetView, fleetTable, retainedTopicsOf } from '../fleet/view.ts';
import { expectedResponders, summarize } from '../fleet/request.ts';
import { EXIT } from '../lifecycle/exitCodes.ts';
import { commandPayload, parseCommandResponse, type CommandResponse } from '../protocol/commands.ts';
import { HashlingError } from '../protocol/errors.ts';
import { isRecord } from '../protocol/json.ts';
import { commandTopic, everyResponse, parseTarget } from '../protocol/topics.ts';
import { MqttLink } from '../transport/mqttLink.ts';
import { numberOption, runCommand, runGroup, type CommandSpec, type OptionSpec, type Parsed } from './args.ts';

const TIMEOUT: OptionSpec = { type: 'string', value: 'S', help: 'seconds to reach the broker (and, for cmd, to wait for answers); default 5' };

export const fleetListSpec: CommandSpec = {
  name: 'fleet list',
  summary: 'A table of every device (state, live hashrate, temperature, power, shares, last seen, version, and revenue and energy cost per day from the coordinator\'s economics message) from retained topics and one telemetry interval of live data.',
  options: {
    wait: { type: 'string', value: 'S', help: 'longest wait for telemetry (default: telemetry.interval_s + 1); ends early once every online device has reported' },
    timeout: TIMEOUT,
  },
  config: true,
};

export const fleetWatchSpec: CommandSpec = {
  name: 'fleet watch',
  summary: 'The fleet table, redrawn every --interval seconds until Ctrl-C.',
  options: { interval: { type: 'string', value: 'S', help: 'seconds between redraws (default 2)' }, timeout: TIMEOUT },
  config: true,
};

export const fleetCmdSpec: CommandSpec = {
  name: 'fleet cmd',
  summary: 'Send a command to a device, a group or every device, collect the answers by transaction and name who did not answer. Exit 0 all ok, 1 an error answer, 2 a device did not answer.',
  args: '<device|group:<g>|all> <verb> [json-args]',
  positionals: { min: 2, max: 3 },
  options: { timeout: TIMEOUT },
  config: true,
  notes: 'example: hashling fleet cmd group:attic budget/set \'{"temp_target_c":62}\'',
};

export const fleetForgetSpec: CommandSpec = {
  name: 'fleet forget',
  summary: 'Clear the retained topics (status, info, state, Home Assistant discovery) of devices that are gone, so later lists and dashboards no longer show them.',
  args: '[device ...]',
  positionals: { min: 0, max: 1000 },
  options: {
    'offline-for': { type: 'string', value: 'DURATION', help: 'forget every device offline or lost for at least this long (e.g. 90m, 12h, 7d)' },
    force: { type: 'boolean', help: 'also forget devices that are online now' },
    timeout: TIMEOUT,
  },
  config: true,
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Connects within the timeout or throws E_UNAVAILABLE (exit 69); the link is stopped on failure. */
async function connect(config: HashlingConfig, timeoutMs: number, view?: FleetView): Promise<MqttLink> {
  const link = new MqttLink({
    broker: config.broker, clientId: `hashling-fleet-${randomBytes(4).toString('hex')}`,
    // One line per failure kind is enough for a short-lived command.
    log: (() => { const said = new Set<string>(); return (l: string) => { const k = l.split(':')[0]; if (!said.has(k)) { said.add(k); process.stderr.write(`fleet: ${l}\n`); } }; })(),
  });
  if (view) for (const f of view.filters()) link.subscribe(f, 0, (m) => view.ingest(m.topic, m.payload, Date.now(), m.retain));
  link.start();
  try {
    await link.waitConnected(timeoutMs);
  } catch (err) {
    await link.stop();
    throw err instanceof HashlingError ? new HashlingError('E_UNAVAILABLE', `${err.message}; is the broker up and --broker right?`) : err;
  }
  return link;
}

async function withFleet(p: Parsed, body: (config: HashlingConfig, link: MqttLink, view: FleetView) => Promise<number>): Promise<number> {
  const config = loadConfig(p.load);
  const view = new FleetView(config.mqtt.base_topic);
  const link = await connect(config, numberOption(p, 'timeout', 5, 0.1, 3600) * 1000, view);
  try {
    return await body(config, link, view);
  } finally {
    await link.stop();
  }
}

function list(p: Parsed): Promise<number> {
  return withFleet(p, async (config, _link, view) => {
    const waitMs = numberOption(p, 'wait', config.telemetry.interval_s + 1, 0, 3600) * 1000;
    // Retained status/info/state arrive at once; telemetry within one interval.
    await sleep(Math.min(500, waitMs));
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline && view.rows().some((r) => r.online && !r.reported)) await sleep(100);
    process.stdout.write(`${fleetTable(view.rows(), Date.now(), view.money())}\n`);
    return EXIT.OK;
  });
}

function watch(p: Parsed): Promise<number> {
  return withFleet(p, (_config, _link, view) => new Promise((resolve) => {
    const everyMs = numberOption(p, 'interval', 2, 0.2, 3600) * 1000;
    const draw = () => {
      const table = fleetTable(view.rows(), Date.now(), view.money());
      // Redraw in place on a terminal; a pipe gets one table per interval.
      process.stdout.write(process.stdout.isTTY ? `\x1b[H\x1b[2J${new Date().toISOString()}\n${table}\n` : `${table}\n\n`);
    };
    const timer = setInterval(draw, everyMs);
    const first = setTimeout(draw, Math.min(everyMs, 1000));
    const stop = () => { clearInterval(timer); clearTimeout(first); process.off('SIGINT', stop); process.off('SIGTERM', stop); resolve(EXIT.OK); };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  }));
}

function command(p: Parsed): Promise<number> {
  const [rawTarget, verb, json] = p.positionals as [string, string, string | undefined];
  let target;
  let args: Record<string, unknown> = {};
  try {
    target = parseTarget(rawTarget);
    if (!/^[a-z]+(\/[a-z]+)?$/.test(verb)) throw new Error(`bad verb "${verb}"`);
    if (json !== undefined) {
      const parsed = JSON.parse(json) as unknown;
      if (!isRecord(parsed)) throw new Error('arguments must be a JSON object');
      args = parsed;
    }
  } catch (err) {
    throw new HashlingError('E_USAGE', (err as Error).message);
  }
  const timeoutMs = numberOption(p, 'timeout', 5, 0.1, 3600) * 1000;
  return withFleet(p, async (config, link, view) => {
    const base = config.mqtt.base_topic;
    const transaction = `fleet-${randomBytes(6).toString('hex')}`;
    const responses = new Map<string, CommandResponse>();
    link.subscribe(everyResponse(base, verb), 1, (m) => {
      try {
        const r = parseCommandResponse(JSON.parse(m.payload.toString()));
        if (r && r.transaction === transaction) responses.set(r.device, r);
      } catch { /* not a response */ }
    });
    // Retained status/info tell who should answer; give them a moment to arrive.
    await sleep(700);
    const { expected, offline } = expectedResponders(target, view.rows());
    link.publishVolatile(commandTopic(base, target, verb), commandPayload(args, transaction), { qos: 1 });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !expected.every((id) => responses.has(id))) await sleep(50);
    // Devices the view did not know (no retained status yet) may still answer a group/all command.
    if (target.kind !== 'device') await sleep(Math.min(300, Math.max(0, deadline - Date.now())));
    const out = summarize(expected, offline, responses);
    process.stdout.write(`${out.table}\n`);
    return out.exitCode;
  });
}

/** "90m", "12h", "7d", "30s" → ms. */
export function parseDuration(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(raw.trim());
  if (!m) throw new HashlingError('E_USAGE', `--offline-for must look like 30s, 90m, 12h or 7d (got ${JSON.stringify(raw)})`);
  return Number(m[1]) * { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

function forget(p: Parsed): Promise<number> {
  const offlineFor = typeof p.values['offline-for'] === 'string' ? parseDuration(p.values['offline-for']) : null;
  if (offlineFor === null && p.positionals.length === 0) throw new HashlingError('E_USAGE', 'name the devices to forget, or give --offline-for DURATION');
  return withFleet(p, async (config, link, view) => {
    await sleep(700);
    const now = Date.now();
    const rows = view.rows();
    const chosen = new Set(p.positionals);
    if (offlineFor !== null) for (const r of rows) if (!r.online && r.status_ts !== null && now - r.status_ts >= offlineFor) chosen.add(r.id);
    const online = rows.filter((r) => r.online && chosen.has(r.id)).map((r) => r.id);
    if (online.length > 0 && p.values.force !== true) {
      process.stderr.write(`hashling fleet forget: ${online.join(', ')} ${online.length === 1 ? 'is' : 'are'} online; not forgotten (--force to clear anyway)\n`);
      for (const id of online) chosen.delete(id);
    }
    for (const id of chosen) {
      for (const topic of retainedTopicsOf(config.mqtt.base_topic, id, config.discovery.prefix)) link.setRetained(topic, '');
    }
    // The clears go out as QoS 1 retained publishes; stop() waits for their PUBACKs.
    process.stdout.write(chosen.size > 0 ? `forgot ${[...chosen].sort().join(', ')}\n` : 'nothing to forget\n');
    return online.length > 0 && p.values.force !== true ? EXIT.FAILURE : EXIT.OK;
  });
}

export function fleetCommand(argv: string[]): Promise<number> {
  return runGroup('fleet', 'The operator\'s view of the fleet over the broker.', {
    list: { summary: 'the fleet as a table', run: (a) => runCommand(fleetListSpec, a, list) },
    watch: { summary: 'the table, live', run: (a) => runCommand(fleetWatchSpec, a, watch) },
    cmd: { summary: 'a command to a device, a group or all, with the answers', run: (a) => runCommand(fleetCmdSpec, a, command) },
    forget: { summary: 'clear the retained topics of devices that are gone', run: (a) => runCommand(fleetForgetSpec, a, forget) },
  }, argv);
}
