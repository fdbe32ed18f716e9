// `hashling coordinator --broker URL --pool stratum+tcp://host:port --pool-user U
// --pool-password P` (--pool repeatable, in failover order; --source demo for
// synthetic jobs). Logs one compact line per pool event; SIGINT/SIGTERM stop it
// cleanly (retained status `offline`).
import { loadConfig } from '../config/load.ts';
import { createCoordinator } from '../coordinator/fromConfig.ts';
import { toHashlingError } from '../protocol/errors.ts';
import { HealthFile } from '../agent/healthFile.ts';
import type { HealthSection } from '../config/health.ts';
import { EXIT_CONFIG, stderrLog } from './log.ts';

/** Folds every `--pool X` into one `--pools X,Y` that the config schema reads. */
export function foldPoolFlags(argv: string[]): string[] {
  const pools: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--pool' && i + 1 < argv.length) pools.push(argv[++i]!);
    else if (a.startsWith('--pool=')) pools.push(a.slice('--pool='.length));
    else rest.push(a);
  }
  return pools.length > 0 ? [...rest, '--pools', pools.join(',')] : rest;
}

export async function coordinatorCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write('usage: hashling coordinator --broker URL --pool stratum+tcp://host:port [--pool ...] --pool-user U --pool-password P\n'
      + '       hashling coordinator --broker URL --source demo\n  other keys: see `hashling config schema` (section coordinator)\n');
    return 0;
  }
  const log = stderrLog('coordinator');
  let coordinator;
  let h: HealthSection | undefined;
  try {
    const config = loadConfig({ argv: foldPoolFlags(argv) });
    h = config.health as unknown as HealthSection | undefined;
    coordinator = createCoordinator(config, { log });
  } catch (err) {
    const e = toHashlingError(err);
    process.stderr.write(`hashling coordinator: ${e.code} ${e.message}\n`);
    return e.code === 'E_CONFIG' ? EXIT_CONFIG : 1;
  }
  try {
    await coordinator.start();
  } catch (err) {
    const e = toHashlingError(err);
    log(`${e.code} ${e.message}`);
    await coordinator.stop().catch(() => undefined);
    return e.code === 'E_CONFIG' ? EXIT_CONFIG : 1;
  }
  const started = coordinator;
  // The status file behind `hashling health --role coordinator`, when health.state_dir is set.
  const health = h?.state_dir ? new HealthFile({
    dir: h.state_dir, role: 'coordinator', intervalMs: h.interval_s * 1000, log,
    snapshot: () => ({ connected: started.connected, detail: { devices_online: started.fleetView?.onlineCount ?? 0 } }),
  }) : null;
  health?.start();
  log('running; Ctrl-C to stop');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log('stopping');
  await health?.stop();
  await coordinator.stop();
  return 0;
}
