// `hashling agent`: the production daemon. SIGTERM/SIGINT stop it cleanly:
// workers stopped, `offline` published, disconnected, exit 0 within 5 s.
import { loadConfig } from '../config/load.ts';
import { HashlingError } from '../protocol/errors.ts';
import { startAgent } from '../agent/runtime.ts';
import { EXIT_CONFIG, stderrLog } from './log.ts';

/** Runs until a signal; resolves with the exit code. */
export async function agentCommand(argv: string[]): Promise<number> {
  const log = stderrLog('agent');
  let config;
  try {
    config = loadConfig({ argv });
  } catch (err) {
    process.stderr.write(`hashling: E_CONFIG ${(err as Error).message}\n`);
    return EXIT_CONFIG;
  }
  let runtime;
  try {
    runtime = await startAgent(config, log);
  } catch (err) {
    const code = err instanceof HashlingError ? err.code : 'E_INTERNAL';
    process.stderr.write(`hashling: ${code} ${(err as Error).message}\n`);
    return code === 'E_CONFIG' ? EXIT_CONFIG : 1;
  }
  log(`device ${config.device.id} started with ${runtime.pool.threads} threads`);
  return waitForSignal(async () => runtime.stop(), log);
}

/** Resolves with 0 after a clean stop on SIGTERM/SIGINT, forcing exit after 5 s. */
export function waitForSignal(stop: () => Promise<void>, log: (l: string) => void): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (sig: string) => {
      if (stopping) return;
      stopping = true;
      log(`${sig}: stopping`);
      const force = setTimeout(() => {
        log('stop took longer than 5 s; exiting anyway');
        process.exit(1);
      }, 5000);
      force.unref();
      const t0 = Date.now();
      stop()
        .then(() => log(`stopped in ${Date.now() - t0} ms`))
        .catch((err) => log(`error while stopping: ${(err as Error).message}`))
        .finally(() => {
          process.off('SIGTERM', onTerm);
          process.off('SIGINT', onInt);
          resolve(0);
        });
    };
    const onTerm = () => onSignal('SIGTERM');
    const onInt = () => onSignal('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
  });
}
