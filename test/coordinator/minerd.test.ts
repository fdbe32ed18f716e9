// A real Stratum miner on the endpoint: pooler's cpuminer (`minerd`), found at
// $HASHLING_MINERD, /work/tools/cpuminer/minerd or on PATH. Skipped (one line)
// when it is not installed; test/coordinator/endpoint.test.ts covers the same
// path with our own miner on every run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { startRig } from './helpers/rig.ts';
import { NOTIFY_RAW } from './helpers/fixtures.ts';
import { Collector } from '../helpers/collector.ts';
import { spawnHashling } from '../helpers/agentProcess.ts';

function findMinerd(): string | null {
  for (const p of [process.env.HASHLING_MINERD, '/work/tools/cpuminer/minerd']) if (p && existsSync(p)) return p;
  try {
    return execFileSync('sh', ['-c', 'command -v minerd'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const MINERD = findMinerd();

test('pooler cpuminer (minerd -a sha256d -t 1) mines through the endpoint: verified, counted, pool shares accepted, a fleet device', { timeout: 120_000, skip: MINERD === null ? 'minerd not installed (set HASHLING_MINERD)' : false }, async () => {
  const port = await freePort();
  // Pool difficulty 0.001: ~4.3 M hashes per pool share, a few per second from one minerd thread.
  const rig = await startRig({
    script: { greeting: [JSON.stringify({ id: null, method: 'mining.set_difficulty', params: [0.001] }), NOTIFY_RAW] },
    coordinator: { stratum_listen: `127.0.0.1:${port}`, stratum_start_difficulty: 0.0005, pool_suggest_difficulty: 'off', stats_interval_s: 1 },
    config: { telemetry: { interval_s: 1 } },
  });
  const watch = await Collector.connect(rig.broker.url, ['hashling/worker1/#']);
  const started = Date.now();
  const minerd = spawn(MINERD!, ['-a', 'sha256d', '-o', `stratum+tcp://127.0.0.1:${port}`, '-u', 'x.worker1', '-p', 'x', '-t', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  minerd.stdout!.on('data', (d) => { out += d; });
  minerd.stderr!.on('data', (d) => { out += d; });
  try {
    const pool = rig.pools[0]!;
    await pool.waitFor(() => pool.submits.filter((s) => s.accepted).length >= 3, 90_000, 'three pool shares from minerd')
      .catch((err) => { throw new Error(`${(err as Error).message}\nminerd:\n${out.slice(-3000)}\ncoordinator:\n${rig.log.slice(-30).join('\n')}`); });
    const stats = rig.coordinator.stats() as any;
    const m = stats.stratum_miners.worker1;
    const figures = {
      run_s: (Date.now() - started) / 1000, miner_accepted: m.accepted, miner_rejected: m.rejected, difficulty: m.difficulty,
      pool_submits: pool.submits.length, pool_accepted: pool.submits.filter((s) => s.accepted).length, user_agent: m.user_agent,
      minerd_yay: (out.match(/yay!!!/g) ?? []).length, minerd_boo: (out.match(/booooo/g) ?? []).length,
    };
    process.stdout.write(`# minerd figures ${JSON.stringify(figures)}\n`);
    assert.ok(m.accepted >= 3, 'minerd\'s shares were verified and counted');
    assert.match(String(m.user_agent), /cpuminer/);
    assert.ok(pool.submits.every((s) => s.accepted), JSON.stringify(pool.submits.filter((s) => !s.accepted)));
    assert.equal(figures.minerd_boo, 0, `minerd saw rejects:\n${out.slice(-2000)}`);
    await watch.wait('hashling/worker1/status', (j) => j.state === 'online');
    const tel = await watch.wait('hashling/worker1/telemetry', (j) => j.shares_found > 0, 15_000);
    assert.ok(tel.json.hashrate_hps['60s'] > 0);
    const list = spawnHashling(['fleet', 'list', '--broker', rig.broker.url, '--wait', '2']);
    assert.equal(await list.exited, 0, list.output());
    assert.match(list.output(), /^worker1\s+online\s+[\d.]+ [kMG]?H\/s/m, 'listed online with a hashrate from verified shares');
    process.stdout.write(`# fleet list\n${list.output().split('\n').map((l) => `# ${l}`).join('\n')}\n`);
    minerd.kill('SIGKILL');
    await watch.wait('hashling/worker1/status', (j) => j.state === 'lost', 5000);
  } finally {
    minerd.kill('SIGKILL');
    await watch.close();
    await rig.stop();
  }
});
