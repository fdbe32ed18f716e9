// `hashling simulate --devices N`: N virtual agents against a broker (and
// whatever coordinator serves it), for load tests and demos of a big fleet.
// Broker settings come from the normal config (--broker, broker.* keys).
import { VERSION } from '../agent/deviceInfo.ts';
import { loadConfig } from '../config/load.ts';
import { HashlingError } from '../protocol/errors.ts';
import { FleetSimulator } from '../simulator/fleetSimulator.ts';
import { numberOption, runCommand, type CommandSpec, type Parsed } from './args.ts';
import { stderrLog } from './log.ts';
import { waitForSignal } from './signals.ts';

export interface SimulateFlags {
  devices: number;
  hashrateHps: number;
  prefix: string;
  rampPerS: number;
  telemetryS: number;
  seconds: number;
}

export const simulateSpec: CommandSpec = {
  name: 'simulate',
  summary: 'N virtual agents (real MQTT, the real protocol, real shares found at a simulated hashrate) for load tests. Keep hashrate × coordinator.share_interval_s ≲ 10,000: each share costs the simulator ~1/p hashes.',
  options: {
    devices: { type: 'string', value: 'N', help: 'virtual devices (default 10)' },
    hashrate: { type: 'string', value: 'H/s', help: 'simulated hashrate per device (default 100)' },
    prefix: { type: 'string', value: 'NAME', help: 'device ids are <prefix>-<n> (default sim)' },
    'ramp-per-s': { type: 'string', value: 'N', help: 'devices started per second (default 200)' },
    'telemetry-s': { type: 'string', value: 'S', help: 'telemetry period, 0 = none (default 10)' },
    seconds: { type: 'string', value: 'S', help: 'stop after this long (default: until Ctrl-C)' },
  },
  config: true,
};

export function simulateFlags(p: Parsed): SimulateFlags {
  const prefix = typeof p.values.prefix === 'string' ? p.values.prefix : 'sim';
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(prefix)) throw new HashlingError('E_USAGE', '--prefix must match [A-Za-z0-9_-]{1,40}');
  return {
    devices: numberOption(p, 'devices', 10, 1, 1_000_000, true),
    hashrateHps: numberOption(p, 'hashrate', 100, 1e-6, 1e15),
    prefix,
    rampPerS: numberOption(p, 'ramp-per-s', 200, 0.001, 1e6),
    telemetryS: numberOption(p, 'telemetry-s', 10, 0, 86_400),
    seconds: numberOption(p, 'seconds', 0, 0, 1e7),
  };
}

export function simulateCommand(argv: string[]): Promise<number> {
  return runCommand(simulateSpec, argv, async (p) => {
    const flags = simulateFlags(p);
    const config = loadConfig(p.load);
    const log = stderrLog('simulate');
    const sim = new FleetSimulator({
      devices: flags.devices, prefix: flags.prefix, base: config.mqtt.base_topic, broker: config.broker,
      hashrateHps: flags.hashrateHps, rampPerS: flags.rampPerS, queueSize: config.hashing.queue_size, telemetryS: flags.telemetryS, version: VERSION,
    });
    await sim.start();
    log(`${flags.devices} virtual devices started at ${flags.hashrateHps} H/s each`);
    const line = setInterval(() => {
      const t = sim.totals();
      log(`connected ${sim.connectedCount}/${flags.devices}  units ${t.units_received} (done ${t.units_done})  shares ${t.shares_published}  bad_work ${t.bad_work}`);
    }, 5000);
    if (flags.seconds > 0) setTimeout(() => process.kill(process.pid, 'SIGTERM'), flags.seconds * 1000).unref();
    return waitForSignal(async () => { clearInterval(line); await sim.stop(); }, log);
  });
}
