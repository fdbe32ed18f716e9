// `hashling selftest`: every kernel against the golden vectors; non-zero on any mismatch.
import { runSelfTest } from '../kernels/selfTest.ts';

export async function selftestCommand(argv: string[]): Promise<number> {
  const results = runSelfTest();
  const json = argv.includes('--json');
  for (const r of results) {
    if (json) process.stdout.write(`${JSON.stringify(r)}\n`);
    else process.stdout.write(`${r.ok ? 'ok  ' : 'FAIL'} ${r.algo.padEnd(8)} ${r.kernel}${r.detail ? `  ${r.detail}` : ''}\n`);
  }
  const failed = results.filter((r) => !r.ok).length;
  if (!json) process.stdout.write(`${results.length - failed} passed, ${failed} failed\n`);
  return failed === 0 && results.length > 0 ? 0 : 1;
}
