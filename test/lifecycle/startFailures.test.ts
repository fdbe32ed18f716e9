// A start that fails at any step ends the process with its documented exit code
// (docs/operations.md) within 2 s, and leaves nothing running: the CLI process
// exits on its own (no thread, socket or timer holds it), and in-process the
// runtime leaves no new active handle behind.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent } from '../../agent/runtime.ts';
import { loadConfig } from '../../config/load.ts';
import { startMosquitto, type Broker } from '../../harness/mosquitto.ts';
import { EXIT, exitCodeFor } from '../../lifecycle/exitCodes.ts';
import { spawnHashling } from '../helpers/agentProcess.ts';

const dir = mkdtempSync(join(tmpdir(), 'hashling-startfail-'));
let open: Broker;
let secured: Broker;

before(async () => {
  open = await startMosquitto();
  const passwd = join(dir, 'passwd');
  execFileSync('mosquitto_passwd', ['-b', '-c', passwd, 'pi-01', 'right-password']);
  // Started as root (CI), Mosquitto would switch to user mosquitto, which cannot read this private temp dir.
  secured = await startMosquitto({ config: (port) => `user root\nlistener ${port} 127.0.0.1\nallow_anonymous false\npassword_file ${passwd}\n` });
});

after(async () => {
  await open.stop();
  await secured.stop();
});

/**
 * Runs the bin to its end: the exit code, and the ms from the moment its output
 * first names the failure (`failure`) to its exit: what a stuck thread or a
 * forgotten timer would stretch.
 */
async function run(args: string[], env: Record<string, string>, failure: RegExp): Promise<{ code: number | string; afterFailureMs: number; out: string }> {
  const p = spawnHashling(args, env);
  let seenAt: number | null = null;
  const watch = (d: Buffer) => { if (seenAt === null && failure.test(p.output() + d.toString())) seenAt = performance.now(); };
  p.proc.stdout!.on('data', watch);
  p.proc.stderr!.on('data', watch);
  const code = await p.exited;
  return { code, afterFailureMs: performance.now() - (seenAt ?? 0), out: p.output() };
}

test('config file, CA file, broker credentials and the Stratum endpoint address: each failed start exits with its code within 2 s of the failure', { timeout: 90_000 }, async () => {
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"broker": {"url": ');
  const cases: [string, string[], Record<string, string>, number, RegExp][] = [
    ['a config file that is not JSON', ['agent', '--config', bad], {}, EXIT.CONFIG, /config file .*bad\.json/],
    ['a CA file that does not exist', ['agent', '--broker', 'mqtts://127.0.0.1:8883'], { HASHLING_BROKER_CA: join(dir, 'missing-ca.pem') }, EXIT.CONFIG, /broker\.ca: cannot read .*ENOENT/],
    ['a broker that refuses the credentials', ['agent', '--broker', secured.url, '--device-id', 'pi-01', '--threads', '1'],
      { HASHLING_BROKER_USERNAME: 'pi-01', HASHLING_BROKER_PASSWORD: 'wrong-password' }, EXIT.NOPERM, /E_NOT_AUTHORIZED .*refused this client's credentials/],
    ['an unknown flag', ['agent', '--thread', '1'], {}, EXIT.USAGE, /unknown option --thread \(did you mean --threads\?\)/],
    // The broker's own port is certainly taken.
    ['a Stratum endpoint address already in use', ['coordinator', '--source', 'demo', '--broker', open.url, '--stratum-listen', `127.0.0.1:${new URL(open.url).port}`], {},
      EXIT.CONFIG, /coordinator\.stratum_listen 127\.0\.0\.1:\d+: cannot listen \(EADDRINUSE\)/],
  ];
  for (const [what, args, env, code, message] of cases) {
    const r = await run(args, env, message);
    assert.equal(r.code, code, `${what}: ${r.out}`);
    assert.match(r.out, message, what);
    assert.ok(r.afterFailureMs < 2000, `${what}: exited ${Math.round(r.afterFailureMs)} ms after the failure`);
  }
});

test('worker threads that fail to boot: the start fails with EX_SOFTWARE and leaves no thread, socket or timer', { timeout: 30_000 }, async () => {
  const config = loadConfig({ env: {}, overrides: { broker: { url: open.url }, device: { id: 'boot-fail' }, hashing: { threads: 1 } } });
  const before = process.getActiveResourcesInfo().sort();
  const entry = new URL('../fixtures/broken/workerThatThrows.ts', import.meta.url).href;
  const err = await startAgent(config, () => {}, { workerEntry: entry }).then(() => null, (e: unknown) => e);
  assert.ok(err instanceof Error, 'the start fails');
  assert.match(err.message, /hashing thread 0 failed to start/);
  assert.equal(exitCodeFor(err), EXIT.SOFTWARE);
  // Terminated workers and closed sockets leave the handle list within the 2 s:
  // afterwards no kind of handle is more numerous than before the start.
  const failedAt = performance.now();
  const count = (list: string[]) => list.filter((r) => r !== 'Timeout').reduce((m, r) => m.set(r, (m.get(r) ?? 0) + 1), new Map<string, number>());
  const added = () => [...count(process.getActiveResourcesInfo())].filter(([r, n]) => n > (count(before).get(r) ?? 0)).map(([r]) => r);
  while (added().length > 0 && performance.now() - failedAt < 2000) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(added(), [], `no thread, socket or pipe left: before ${JSON.stringify(before)} after ${JSON.stringify(process.getActiveResourcesInfo())}`);
});
