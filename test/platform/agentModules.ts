// `npm run modules:agent [-- --json]`: what `hashling agent` loads, traced, not
// guessed. Builds the product into a scratch directory, runs the compiled agent
// (plain node, one hashing thread) against a private Mosquitto with a module hook
// (module.register) that records every JavaScript file each process and thread
// loads, hands it one unit so the hashing thread starts, then maps each loaded
// output file back to the sources and packages bundled into it (esbuild metafile).
import { spawn } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildDist } from '../../scripts/build.ts';
import { Collector } from '../helpers/collector.ts';
import { coolSysfs } from '../helpers/coolSysfs.ts';
import { startMosquitto } from '../../harness/mosquitto.ts';
import { GENESIS } from '../fixtures/chain.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const json = process.argv.includes('--json');

const HOOKS = `
import { appendFileSync } from 'node:fs';
import { threadId, isMainThread } from 'node:worker_threads';
let log;
export function initialize(data) { log = data.log; }
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(log, JSON.stringify({ pid: process.pid, url }) + '\\n');
  return next(url, context);
}
`;

function sourcesOf(meta: NonNullable<Awaited<ReturnType<typeof buildDist>>['meta']>, outFile: string): Record<string, number> {
  const entry = Object.entries(meta.outputs).find(([k]) => basename(k) === outFile);
  const agg: Record<string, number> = {};
  for (const [inp, v] of Object.entries(entry?.[1].inputs ?? {})) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(inp);
    const key = m ? `npm:${m[1]}` : inp;
    agg[key] = (agg[key] ?? 0) + v.bytesInOutput;
  }
  return agg;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hashling-modules-'));
  const broker = await startMosquitto();
  const sysfs = coolSysfs();
  const c = await Collector.connect(broker.url, ['hashling/mods/#']);
  try {
    const built = await buildDist(join(dir, 'dist'));
    mkdirSync(join(dir, 'bin'));
    cpSync(join(ROOT, 'bin/hashling.js'), join(dir, 'bin/hashling.js'));
    cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
    const log = join(dir, 'loads.jsonl');
    writeFileSync(log, '');
    writeFileSync(join(dir, 'hooks.mjs'), HOOKS);
    writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)}, { data: { log: ${JSON.stringify(log)} } });\n`);
    const agent = spawn(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, join(dir, 'bin/hashling.js'), 'agent', '--broker', broker.url, '--device-id', 'mods', '--threads', '1'], {
      env: { ...process.env, HASHLING_SENSORS_SYSFS_ROOT: sysfs.root, HASHLING_BUDGET_RAMP_UP_PER_S: '100' }, stdio: ['ignore', 'ignore', 'inherit'],
    });
    await c.wait('hashling/mods/status', (j) => j?.state === 'online', 60_000);
    await c.wait('hashling/mods/info', (j) => j?.os !== undefined, 30_000).catch(() => undefined);
    // Files the agent process loads from here on are the hashing thread's (a worker
    // has its own module map, so it loads even the chunks the main thread has).
    appendFileSync(log, `${JSON.stringify({ marker: 'unit' })}\n`);
    const start = GENESIS.nonce - 5000;
    await c.publish('hashling/mods/work', JSON.stringify({ v: 1, unit_id: 'm1', job_id: 'm', algo: 'sha256d', header: GENESIS.header_hex, target: GENESIS.target, nonce_start: start, nonce_end: start + 9999 }));
    await c.wait('hashling/mods/results', (j) => j?.unit_id === 'm1', 30_000);
    agent.kill('SIGTERM');
    await new Promise((r) => agent.once('exit', r));

    const loads = readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { pid?: number; url?: string; marker?: string });
    const agentPid = agent.pid!;
    let afterUnit = false;
    const distUrl = pathToFileURL(join(dir, 'dist')).href;
    const byProcess = new Map<string, string[]>();
    const children: number[] = [];
    for (const l of loads) {
      if (l.marker) {
        afterUnit = true;
        continue;
      }
      const url = l.url!;
      if (l.pid !== agentPid && !children.includes(l.pid!)) children.push(l.pid!);
      const who = l.pid === agentPid
        ? (afterUnit ? 'agent, hashing thread (started by the first unit)' : 'agent, main thread')
        : children.indexOf(l.pid!) === 0 ? 'start-up kernel check (child process, exits)' : 'host details via systeminformation (child process after online, exits)';
      const file = url.startsWith(distUrl) ? `dist/${url.slice(distUrl.length + 1)}` : url.replace(pathToFileURL(dir).href, '.');
      const list = byProcess.get(who) ?? [];
      if (!list.includes(file)) list.push(file);
      byProcess.set(who, list);
    }
    const report = [...byProcess.entries()].map(([who, files]) => ({
      who,
      files: files.map((f) => {
        const src = f.startsWith('dist/') ? sourcesOf(built.meta!, f.slice(5)) : {};
        return { file: f, sources: Object.entries(src).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} (${Math.round(n / 102.4) / 10} KiB)`) };
      }),
    }));
    if (json) {
      process.stdout.write(`${JSON.stringify(report)}\n`);
      return;
    }
    for (const p of report) {
      process.stdout.write(`\n${p.who}: ${p.files.length} files\n`);
      for (const f of p.files) process.stdout.write(`  ${f.file}${f.sources.length ? `\n      ${f.sources.join('\n      ')}` : ''}\n`);
    }
  } finally {
    await c.close();
    await broker.stop();
    rmSync(sysfs.root, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
