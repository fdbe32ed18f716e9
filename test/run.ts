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
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

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

const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const filter = args.filter((a) => a !== '--unit');
let files = findTests('test').filter((f) => filter.length === 0 || filter.some((p) => f.includes(p)));
if (unitOnly) files = files.filter((f) => !startsSomething(resolve(f)));
// Integration tests run one file at a time: they run real agents that load both
// cores, and timing assertions (cancel latency, temperature hold) must not share
// the CPU. Unit tests share nothing and run two at a time.
const stream = run({ files, concurrency: unitOnly ? 2 : 1, timeout: 240_000 });
stream.on('test:fail', () => { process.exitCode = 1; });
stream.compose(new spec()).pipe(process.stdout);
