// The compiled agent's start-up check (in its child process) plans the kernels at
// the first start and caches the plan in health.state_dir; a restart advertises the
// cached rates in `info` without timing anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMosquitto } from '../../harness/mosquitto.ts';
import { spawnAgent } from '../helpers/agentProcess.ts';
import { Collector } from '../helpers/collector.ts';

test('the first start writes the kernel plan and a restart advertises its cached rates', { timeout: 90_000 }, async () => {
  const broker = await startMosquitto();
  const dir = mkdtempSync(join(tmpdir(), 'hashling-state-'));
  const c = await Collector.connect(broker.url, ['hashling/kc/#']);
  try {
    const env = { HASHLING_HEALTH_STATE_DIR: dir };
    const first = spawnAgent(['--broker', broker.url, '--device-id', 'kc', '--threads', '1'], env);
    const info1 = await c.wait('hashling/kc/info', (j) => j?.benchmark_hps, 60_000).catch((e: Error) => { throw new Error(`${e.message}\n${first.output()}`); });
    first.proc.kill('SIGTERM');
    assert.equal(await first.exited, 0, first.output());
    const file = join(dir, 'kernel-plan.json');
    assert.ok(existsSync(file), 'plan cached');
    const cached = readFileSync(file, 'utf8');

    c.messages.length = 0;
    const second = spawnAgent(['--broker', broker.url, '--device-id', 'kc', '--threads', '2'], env);
    const info2 = await c.wait('hashling/kc/info', (j) => j?.threads === 2, 60_000).catch((e: Error) => { throw new Error(`${e.message}\n${second.output()}`); });
    second.proc.kill('SIGTERM');
    assert.equal(await second.exited, 0, second.output());
    for (const [algo, hps] of Object.entries(info1.json.benchmark_hps)) assert.ok(Math.abs(info2.json.benchmark_hps[algo] - (hps as number) * 2) <= 1, algo);
    assert.equal(readFileSync(file, 'utf8'), cached, 'not planned again');
  } finally {
    await c.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
