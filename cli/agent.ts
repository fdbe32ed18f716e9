// `hashling agent`: the production daemon. SIGTERM/SIGINT stop it cleanly:
// workers stopped, `offline` published, disconnected, exit 0 within 5 s.
// The `restart` command stops it the same way and exits EXIT_RESTART (75) so the
// service manager starts it again (systemd Restart=on-failure or always).
import { configPath, loadConfig } from '../config/load.ts';
import { EXIT_RESTART } from '../agent/commands/host.ts';
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
  let restart: ((reason: string, code: number) => void) | null = null;
  try {
    runtime = await startAgent(config, log, {
      configFile: configPath(argv, process.env),
      onRestart: () => restart?.('restart command', EXIT_RESTART),
    });
  } catch (err) {
    const code = err instanceof HashlingError ? err.code : 'E_INTERNAL';
    process.stderr.write(`hashling: ${code} ${(err as Error).message}\n`);
    return code === 'E_CONFIG' ? EXIT_CONFIG : 1;
  }
  log(`device ${config.device.id} started with ${runtime.pool.threads} threads`);
  return waitForSignal(async () => runtime.stop(), log, (fire) => { restart = fire; });
}

/**
 * Resolves with 0 after a clean stop on SIGTERM/SIGINT, forcing exit after 5 s.
 * `trigger` receives a function that stops the same way from inside (the restart
 * command) and resolves with the code given.
 */
export function waitForSignal(stop: () => Promise<void>, log: (l: string) => void, trigger?: (fire: (reason: string, code: number) => void) => void): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (sig: string, code = 0) => {
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
          resolve(code);
        });
    };
    const onTerm = () => onSignal('SIGTERM');
    const onInt = () => onSignal('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
    trigger?.((reason, code) => onSignal(reason, code));
  });
}
