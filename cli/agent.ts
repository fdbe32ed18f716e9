// `hashling agent`: the production daemon. SIGTERM/SIGINT stop it cleanly:
// workers stopped, `offline` published, disconnected, exit 0 within 5 s.
// The `restart` command stops it the same way and exits 75 (EX_TEMPFAIL) so the
// service manager starts it again; a duplicate device id exits 79 and a broker
// that refuses the credentials at the first connect 77 (docs/operations.md).
import { configFileOf, loadConfig } from '../config/load.ts';
import { EXIT, exitCodeFor } from '../lifecycle/exitCodes.ts';
import { runCommand, type CommandSpec } from './args.ts';
import { plural, stderrLog } from './log.ts';
import { DeferredTrigger, waitForSignal } from './signals.ts';

export const agentSpec: CommandSpec = {
  name: 'agent',
  summary: 'Run the device agent: take work units from the broker, hash them within the budget, report shares, results, state and telemetry.',
  config: true,
};

export function agentCommand(argv: string[]): Promise<number> {
  return runCommand(agentSpec, argv, async (p) => {
    const config = loadConfig(p.load);
    const log = stderrLog('agent');
    // Loaded after the config is known to be good: a bad config fails fast.
    const { startAgent } = await import('../agent/runtime.ts');
    const stopWith = new DeferredTrigger();
    const runtime = await startAgent(config, log, {
      configFile: configFileOf(p.load),
      onRestart: () => stopWith.call('restart command', EXIT.RESTART),
      onFatal: (err) => stopWith.call(err.code, exitCodeFor(err)),
    });
    const kernels = Object.entries(runtime.kernels).map(([a, k]) => `${a}=${k}`).join(' ');
    log(`device ${config.device.id} started: ${plural(runtime.pool.threads, 'thread')}, kernels ${kernels}, broker ${config.broker.url}`);
    return waitForSignal(() => runtime.stop(), log, (fire) => stopWith.arm(fire));
  });
}
