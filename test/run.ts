// Runs the test files under test/ with node:test. Node 20's `--test` cannot glob
// .ts files itself, so the list is built here and handed to run().
//
//   node --import tsx test/run.ts [--unit] [filter ...]
//
// --unit runs only unit tests: files that start nothing outside the process
// (no broker, no child process, no worker thread). A file is an integration
// test when it, or a test-local module it imports, touches harness/,
// child_process, worker threads or the hashling bin; that is read from the
// source, so a new test is classified without a list to maintain.
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { buildDist } from '../scripts/build.ts';

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const OUTSIDE = /harness\/|node:child_process|node:worker_threads|WorkerPool|runBench|helpers\/agentProcess|helpers\/coordinatorProcess|helpers\/rig|deploy\/tools/;

function startsSomething(file: string, seen = new Set<string>()): boolean {
  if (seen.has(file)) return false;
  seen.add(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  if (OUTSIDE.test(text)) return true;
  for (const m of text.matchAll(/from '(\.[^']+\.ts)'/g)) {
    const dep = resolve(dirname(file), m[1]);
    if (dep.includes('/test/') && startsSomething(dep, seen)) return true;
  }
  return false;
}

/**
 * The ../shared files a test file reads at import, itself or through the helpers
 * it imports (relative imports, followed): a `new URL('../shared/…')` literal.
 * Third-party recordings such as ../shared/vectors/stratum-v1.json are never
 * copied into the repository. Files read on demand through test/helpers/shared.ts
 * are not listed: the tests that need them skip one by one (needsShared), so the
 * rest of their file still runs in a clone alone.
 */
function sharedFilesOf(file: string, seen = new Set<string>()): Set<string> {
  const out = new Set<string>();
  if (seen.has(file) || !existsSync(file)) return out;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/new URL\('(?:\.\.\/)+shared\/(vectors|data)\/([\w.-]+)'/g)) out.add(`${m[1]}/${m[2]}`);
  for (const m of text.matchAll(/from '(\.{1,2}\/[^']+\.ts)'/g)) {
    for (const f of sharedFilesOf(resolve(dirname(file), m[1]!), seen)) out.add(f);
  }
  return out;
}

const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const filter = args.filter((a) => a !== '--unit');
let files = findTests('test').filter((f) => filter.length === 0 || filter.some((p) => f.includes(p)));
if (unitOnly) files = files.filter((f) => !startsSomething(resolve(f)));
// A clone without ../shared beside it runs everything else (a file that reads
// ../shared at import is skipped whole, one line each); with ../shared present
// every test runs (a missing file there is a failure, not a skip).
if (!existsSync(resolve('..', 'shared'))) {
  files = files.filter((f) => {
    const needs = [...sharedFilesOf(resolve(f))];
    if (needs.length === 0) return true;
    process.stdout.write(`skip ${f}: needs ../shared/${needs.join(', ../shared/')} (third-party data kept outside the repository; ../shared is absent)\n`);
    return false;
  });
}
// Integration tests spawn the `hashling` bin, which runs the compiled product in
// dist/: rebuild it first, so a test never runs code older than the sources.
if (!unitOnly) {
  const built = await buildDist();
  process.stdout.write(`build: dist/ rebuilt (${built.files} files, ${built.ms} ms)\n`);
}
// Integration tests run one file at a time: they run real agents that load both
// cores, and timing assertions (cancel latency, temperature hold) must not share
// the CPU. Unit tests share nothing and run two at a time.
const stream = run({ files, concurrency: unitOnly ? 2 : 1, timeout: 240_000 });
stream.on('test:fail', () => { process.exitCode = 1; });
stream.compose(new spec()).pipe(process.stdout);
