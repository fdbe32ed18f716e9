// `hashling selftest`: every kernel against the golden vectors; exit 70 on any mismatch.
import { runSelfTest } from '../kernels/selfTest.ts';
import { EXIT } from '../lifecycle/exitCodes.ts';
import { runCommand, type CommandSpec } from './args.ts';

export const selftestSpec: CommandSpec = {
  name: 'selftest',
  summary: 'Check every hash kernel against golden vectors (the agent runs the same check before it mines). Exit 70 when one fails.',
  options: { json: { type: 'boolean', help: 'one JSON object per kernel' } },
};

export function selftestCommand(argv: string[]): Promise<number> {
  return runCommand(selftestSpec, argv, async (p) => {
    const results = runSelfTest();
    const json = p.values.json === true;
    for (const r of results) {
      if (json) process.stdout.write(`${JSON.stringify(r)}\n`);
      else process.stdout.write(`${r.ok ? 'ok  ' : 'FAIL'} ${r.algo.padEnd(8)} ${r.kernel}${r.detail ? `  ${r.detail}` : ''}\n`);
    }
    const failed = results.filter((r) => !r.ok).length;
    if (!json) process.stdout.write(`${results.length - failed} passed, ${failed} failed\n`);
    return failed === 0 && results.length > 0 ? EXIT.OK : EXIT.SOFTWARE;
  });
}
