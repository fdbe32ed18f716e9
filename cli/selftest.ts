// `hashling selftest [--json] [--replan]`: every kernel against the golden vectors; exit 70
// on any mismatch. --replan then re-times the kernels that passed (the planner the agent
// runs at its first start) and caches the choice in health.state_dir (from --config or
// HASHLING_HEALTH_STATE_DIR), so the agent's next start uses it.
import { loadConfig } from '../config/load.ts';
import { chooseKernels } from '../kernels/choose.ts';
import { runSelfTest } from '../kernels/selfTest.ts';
import { EXIT } from '../lifecycle/exitCodes.ts';
import { runCommand, type CommandSpec } from './args.ts';

export const selftestSpec: CommandSpec = {
  name: 'selftest',
  summary: 'Check every hash kernel against golden vectors (the agent runs the same check before it mines). Exit 70 when one fails.',
  options: {
    json: { type: 'boolean', help: 'one JSON object per kernel' },
    replan: { type: 'boolean', help: 're-time the kernels that passed and cache the choice in health.state_dir (the agent\'s next start uses it)' },
  },
  config: true,
};

export function selftestCommand(argv: string[]): Promise<number> {
  return runCommand(selftestSpec, argv, async (p) => {
    const json = p.values.json === true;
    // Config first, so a bad --config fails before seconds of hashing.
    const stateDir = p.values.replan === true ? loadConfig(p.load).health.state_dir : '';
    const results = runSelfTest();
    for (const r of results) {
      if (json) process.stdout.write(`${JSON.stringify(r)}\n`);
      else process.stdout.write(`${r.ok ? 'ok  ' : 'FAIL'} ${r.algo.padEnd(8)} ${r.kernel}${r.detail ? `  ${r.detail}` : ''}\n`);
    }
    const failed = results.filter((r) => !r.ok).length;
    if (!json) process.stdout.write(`${results.length - failed} passed, ${failed} failed\n`);
    if (p.values.replan === true) {
      const choice = chooseKernels({ stateDir, force: true, selfTest: results, log: () => {} });
      if (json) process.stdout.write(`${JSON.stringify({ kernel_plan: choice.plan, planned_ms: choice.planned_ms, state_dir: stateDir || null })}\n`);
      else {
        for (const [algo, plan] of Object.entries(choice.plan)) {
          const rates = Object.entries(plan.rates_hps).sort((a, b) => b[1] - a[1]).map(([k, r]) => `${k} ${(r / 1e6).toFixed(3)}`).join(', ');
          process.stdout.write(`plan ${algo.padEnd(8)} ${plan.kernel} (${plan.reason}; M hashes/s per core: ${rates})\n`);
        }
        process.stdout.write(`planned in ${choice.planned_ms} ms; ${stateDir ? `cached in ${stateDir}` : 'not cached (health.state_dir is empty)'}\n`);
      }
    }
    return failed === 0 && results.length > 0 ? EXIT.OK : EXIT.SOFTWARE;
  });
}
