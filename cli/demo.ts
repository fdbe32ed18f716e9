// `hashling demo` (= `npm start`): embedded broker + coordinator with the demo job
// source + agent on this machine, no external services, with a live one-line status.
import { loadConfig } from '../config/load.ts';
import { HashlingError } from '../protocol/errors.ts';
import { startAgent } from '../agent/runtime.ts';
import { waitForSignal } from './agent.ts';
import { createCoordinator } from '../coordinator/fromConfig.ts';
import { startEmbeddedBroker } from './embeddedBroker.ts';
import { EXIT_CONFIG, stderrLog } from './log.ts';

function formatRate(hps: number): string {
  if (hps >= 1e6) return `${(hps / 1e6).toFixed(2)} MH/s`;
  if (hps >= 1e3) return `${(hps / 1e3).toFixed(1)} kH/s`;
  return `${hps.toFixed(0)} H/s`;
}

export async function demoCommand(argv: string[]): Promise<number> {
  const log = stderrLog('demo');
  let config;
  try {
    config = loadConfig({ argv, overrides: {} });
  } catch (err) {
    process.stderr.write(`hashling: E_CONFIG ${(err as Error).message}\n`);
    return EXIT_CONFIG;
  }
  let broker;
  try {
    broker = await startEmbeddedBroker(config.demo.port);
  } catch (err) {
    process.stderr.write(`hashling: ${err instanceof HashlingError ? err.code : 'E_BROKER'} embedded broker: ${(err as Error).message}\n`);
    return err instanceof HashlingError && err.code === 'E_CONFIG' ? EXIT_CONFIG : 1;
  }
  config.broker.url = broker.url;
  config.broker.protocol_version = 4;
  config.broker.username = '';
  config.broker.password = '';
  const coordinatorConfig = structuredClone(config);
  Object.assign(coordinatorConfig.coordinator, { source: 'demo', share_interval_s: config.demo.share_interval_s, signing_key_file: '' });
  const coordinator = createCoordinator(coordinatorConfig, { log: stderrLog('coordinator') });
  await coordinator.start();
  const runtime = await startAgent(config, log);
  process.stdout.write(`hashling demo: broker ${broker.url}, device ${config.device.id}, ${runtime.pool.threads} threads. Ctrl-C stops.\n`);
  process.stdout.write(`watch it: mosquitto_sub -h 127.0.0.1 -p ${config.demo.port} -V mqttv311 -t '${config.mqtt.base_topic}/#' -v\n`);
  const status = setInterval(() => {
    const t = runtime.agent.telemetry() as { hashrate_hps: { '10s': number }; shares_found: number; units_done: number; temp_c: number | null };
    const temp = t.temp_c === null ? 'n/a' : `${t.temp_c.toFixed(1)} °C`;
    process.stdout.write(`${new Date().toISOString().slice(11, 19)}  ${runtime.agent.mode().padEnd(9)} ${formatRate(t.hashrate_hps['10s']).padStart(11)}  shares ${t.shares_found}  units ${t.units_done}  temp ${temp}\n`);
  }, 3000);
  return waitForSignal(async () => {
    clearInterval(status);
    await runtime.stop();
    await coordinator.stop();
    await broker.close();
  }, log);
}
