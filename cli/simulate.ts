// `hashling simulate --devices N`: N virtual agents against a broker (and
// whatever coordinator serves it), for load tests and demos of a big fleet.
// Broker settings come from the normal config (--broker, broker.* keys).
import { loadConfig } from '../config/load.ts';
import { VERSION } from '../agent/deviceInfo.ts';
import { toHashlingError } from '../protocol/errors.ts';
import { FleetSimulator } from '../simulator/fleetSimulator.ts';
import { waitForSignal } from './agent.ts';
import { EXIT_CONFIG, stderrLog } from './log.ts';

export interface SimulateFlags {
  devices: number;
  hashrateHps: number;
  prefix: string;
  rampPerS: number;
  telemetryS: number;
  seconds: number;
}

const FLAGS: Record<string, keyof SimulateFlags> = {
  '--devices': 'devices', '--hashrate': 'hashrateHps', '--prefix': 'prefix', '--ramp-per-s': 'rampPerS', '--telemetry-s': 'telemetryS', '--seconds': 'seconds',
};

const USAGE = `usage: hashling simulate --devices N [--broker URL] [--hashrate H/s] [--prefix sim] [--ramp-per-s 200] [--telemetry-s 10] [--seconds S]
  N virtual agents (real MQTT, the real protocol, real shares found at a simulated hashrate).
  Keep hashrate × coordinator.share_interval_s ≲ 10,000: each share costs the simulator ~1/p hashes.
`;

/** Splits the simulator's own flags from the config flags. */
export function parseSimulateFlags(argv: string[]): { flags: SimulateFlags; rest: string[] } {
  const flags: SimulateFlags = { devices: 10, hashrateHps: 100, prefix: 'sim', rampPerS: 200, telemetryS: 10, seconds: 0 };
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const key = FLAGS[name];
    if (!key) { rest.push(argv[i]!); continue; }
    const raw = inline ?? argv[++i];
    if (key === 'prefix') {
      if (!raw || !/^[A-Za-z0-9_-]{1,40}$/.test(raw)) throw new Error(`${name} must match [A-Za-z0-9_-]{1,40}`);
      flags.prefix = raw;
    } else {
      const n = Number(raw);
      if (!Number.isFinite(n) || n < 0 || (key === 'devices' && (!Number.isInteger(n) || n < 1))) throw new Error(`${name} needs a number, got ${raw}`);
      flags[key] = n;
    }
  }
  if (flags.hashrateHps <= 0) throw new Error('--hashrate must be > 0');
  return { flags, rest };
}

export async function simulateCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) { process.stdout.write(USAGE); return 0; }
  const log = stderrLog('simulate');
  let sim: FleetSimulator;
  let flags: SimulateFlags;
  try {
    const parsed = parseSimulateFlags(argv);
    flags = parsed.flags;
    const config = loadConfig({ argv: parsed.rest });
    sim = new FleetSimulator({
      devices: flags.devices, prefix: flags.prefix, base: config.mqtt.base_topic, broker: config.broker,
      hashrateHps: flags.hashrateHps, rampPerS: flags.rampPerS, queueSize: config.hashing.queue_size, telemetryS: flags.telemetryS, version: VERSION,
    });
  } catch (err) {
    const e = toHashlingError(err);
    process.stderr.write(`hashling simulate: ${e.code === 'E_INTERNAL' ? 'E_CONFIG' : e.code} ${e.message}\n${USAGE}`);
    return EXIT_CONFIG;
  }
  await sim.start();
  log(`${flags.devices} virtual devices started at ${flags.hashrateHps} H/s each`);
  const line = setInterval(() => {
    const t = sim.totals();
    log(`connected ${sim.connectedCount}/${flags.devices}  units ${t.units_received} (done ${t.units_done})  shares ${t.shares_published}  bad_work ${t.bad_work}`);
  }, 5000);
  if (flags.seconds > 0) setTimeout(() => process.kill(process.pid, 'SIGTERM'), flags.seconds * 1000).unref();
  const code = await waitForSignal(async () => { clearInterval(line); await sim.stop(); }, log);
  return code;
}
