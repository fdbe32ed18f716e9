// `hashling demo` (= `npm start`): embedded broker + coordinator with the demo job
// source + agent on this machine, no external services, with a live one-line status.
import { startAgent } from '../agent/runtime.ts';
import { loadConfig, type LoadOptions } from '../config/load.ts';
import { VERSION } from '../agent/deviceInfo.ts';
import { createCoordinator, createEconomics } from '../coordinator/fromConfig.ts';
import { startAll, component } from '../lifecycle/component.ts';
import { runCommand, type CommandSpec } from './args.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from './embeddedBroker.ts';
import { formatRate } from '../fleet/format.ts';
import { plural, stderrLog } from './log.ts';
import { waitForSignal } from './signals.ts';

export const demoSpec: CommandSpec = {
  name: 'demo',
  summary: 'Everything on this machine: an embedded MQTT broker, the coordinator with its demo job source, and the agent, with a status line every 3 s (what `npm start` runs).',
  config: true,
};

/** The broker keys the demo forces: its own plain-TCP embedded broker, no credentials. */
function demoBroker(url: string): Record<string, unknown> {
  return { url, protocol_version: 4, username: '', password: '', password_file: '', ca: '', cert: '', key: '' };
}

export function demoCommand(argv: string[]): Promise<number> {
  return runCommand(demoSpec, argv, async (p) => {
    const log = stderrLog('demo');
    const first = loadConfig(p.load);
    let broker: EmbeddedBroker | null = null;
    const load = (o: NonNullable<LoadOptions['overrides']>) => loadConfig({ ...p.load, overrides: o });
    const brokerPart = component('broker', async () => { broker = await startEmbeddedBroker(first.demo.port); }, () => broker?.close());
    const url = `mqtt://127.0.0.1:${first.demo.port}`;
    const config = load({ broker: demoBroker(url) });
    const coordinatorConfig = load({
      broker: demoBroker(url),
      // Short units, so the status line shows units completing within seconds of the start.
      coordinator: { source: 'demo', share_interval_s: first.demo.share_interval_s, unit_seconds: Math.min(first.coordinator.unit_seconds, 10), signing_key_file: '' },
    });
    const coordinator = createCoordinator(coordinatorConfig, { log: stderrLog('coordinator'), version: VERSION });
    const economics = createEconomics(coordinatorConfig, coordinator, { log: stderrLog('coordinator'), version: VERSION });
    let runtime: Awaited<ReturnType<typeof startAgent>> | null = null;
    const agentPart = component('agent', async () => { runtime = await startAgent(config, log); }, () => runtime?.stop());
    const running = await startAll([brokerPart, coordinator, economics, agentPart], log);
    const rt = runtime!;
    process.stdout.write(`hashling demo: broker ${url}, device ${config.device.id}, ${plural(rt.pool.threads, 'thread')}. Ctrl-C stops.\n`);
    process.stdout.write(`watch it: mosquitto_sub -h 127.0.0.1 -p ${first.demo.port} -V mqttv311 -t '${config.mqtt.base_topic}/#' -v\n`);
    const status = setInterval(() => {
      const t = rt.agent.telemetry();
      const temp = t.temp_c === null ? 'n/a' : `${t.temp_c.toFixed(1)} °C`;
      const s = coordinator.stats();
      process.stdout.write(`${new Date().toISOString().slice(11, 19)}  ${rt.agent.mode().padEnd(9)} ${formatRate(t.hashrate_hps['10s']).padStart(11)}  shares ${t.shares_found} (verified ${s.shares.accepted})  units done ${t.units_done}  temp ${temp}\n`);
    }, 3000);
    return waitForSignal(async () => {
      clearInterval(status);
      await running.stop();
    }, log);
  });
}
