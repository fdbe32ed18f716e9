// Runs every test file under test/ with node:test. Node 20's `--test` cannot
// glob .ts files itself, so the list is built here and handed to run().
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const filter = process.argv.slice(2);
const files = findTests('test').filter((f) => filter.length === 0 || filter.some((p) => f.includes(p)));
// One file at a time: integration tests run real agents that load both cores, and
// timing assertions (cancel latency, temperature hold) must not share the CPU.
const stream = run({ files, concurrency: 1, timeout: 240_000 });
stream.on('test:fail', () => { process.exitCode = 1; });
stream.compose(new spec()).pipe(process.stdout);
