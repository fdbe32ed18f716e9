// `hashling coordinator --broker URL --pool stratum+tcp://host:port --pool-user U
// --pool-password P` (--pool repeatable, in failover order; --source demo for
// synthetic jobs). Logs one compact line per pool event; SIGINT/SIGTERM stop it
// cleanly (retained status `offline`).
import { loadConfig } from '../config/load.ts';
import { createCoordinator } from '../coordinator/fromConfig.ts';
import { toHashlingError } from '../protocol/errors.ts';
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
  try {
    const config = loadConfig({ argv: foldPoolFlags(argv) });
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
  log('running; Ctrl-C to stop');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log('stopping');
  await coordinator.stop();
  return 0;
}
