// Two real `hashling agent --threads 1` processes behind the coordinator, mining
// on a pool stand-in that behaves like public-pool (starts sessions at 16384,
// honours the first mining.suggest_difficulty, re-sends the same template under
// a new job id marked clean on every difficulty change, unpadded hex). The run
// goes through difficulty changes and a 20 s pool outage, and checks what the
// live run against public-pool got wrong: no share sent twice, no repeated
// work, 0 rejects, first accepted share within 60 s, outage cost ≤ 25 s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRig } from './helpers/rig.ts';
import { NOTIFY_RAW } from './helpers/fixtures.ts';
import { spawnAgent, type AgentProcess } from '../helpers/agentProcess.ts';

async function stopAgent(a: AgentProcess): Promise<void> {
  a.proc.kill('SIGTERM');
  await Promise.race([a.exited, new Promise((r) => setTimeout(r, 6000))]);
  if (a.proc.exitCode === null) a.proc.kill('SIGKILL');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('public-pool stand-in, two --threads 1 agents: suggest_difficulty, difficulty changes and a 20 s outage without a reject, a repeat or a duplicate', { timeout: 240_000 }, async () => {
  const rig = await startRig({
    script: { dialect: 'public-pool', greeting: [NOTIFY_RAW], startDifficulty: 16384 },
    // One pool share per 2 s of the fleet's benchmark: agents report their planned
    // kernel's rate, which a machine loaded by other work does not reach.
    coordinator: { pool_share_interval_s: 2, unit_seconds: 10 },
  });
  const pool = rig.pools[0]!;
  const agents = ['pi-a', 'pi-b'].map((id) => spawnAgent(['--broker', rig.broker.url, '--device-id', id, '--threads', '1']));
  const figures: Record<string, unknown> = {};
  try {
    await rig.devices.wait('hashling/pi-a/work', () => true, 30_000);
    await rig.devices.wait('hashling/pi-b/work', () => true, 30_000);
    const online = Date.now();
    // 1. First accepted share of the session, with the suggestion the fleet's benchmark gives.
    await pool.waitFor(() => pool.submits.some((s) => s.accepted), 60_000, `an accepted share within 60 s\n${rig.log.slice(-20).join('\n')}`);
    figures.first_accepted_s = (pool.submits.find((s) => s.accepted)!.at - online) / 1000;
    figures.suggested_difficulty = rig.coordinator.stats().pool;
    assert.ok(pool.clientDifficulty! < 1, `the pool took the suggestion (${pool.clientDifficulty})`);

    // 2. Difficulty changes: each makes public-pool re-send the same template under a new job id, clean.
    const base = pool.clientDifficulty!;
    for (const f of [2, 0.5, 4, 1]) {
      const before = pool.submits.length;
      pool.setDifficulty(base * f);
      // A few seconds at each difficulty and at least one share after each change
      // (waited for, not assumed: how fast the agents hash depends on the machine).
      await Promise.all([sleep(3000), pool.waitFor(() => pool.submits.length > before, 60_000, `a share after the change to ${f} × ${base}\n${rig.log.slice(-10).join('\n')}`)]);
    }
    const beforeOutage = pool.submits.length;
    assert.ok(beforeOutage >= 5, `shares across the difficulty changes (${beforeOutage})`);

    // 3. A 20 s outage.
    const port = pool.port;
    const down = Date.now();
    await pool.close();
    const halt = await rig.devices.wait('hashling/pi-a/work', (j, m) => m.at >= down && j[0].job_id.endsWith('-halt'), 10_000);
    figures.halt_after_loss_ms = halt.at - down;
    await sleep(20_000 - (Date.now() - down));
    const up = Date.now();
    await pool.listen(port);
    const resumed = await rig.devices.wait('hashling/pi-a/work', (j, m) => m.at >= up && j[0].clean === true && !j[0].job_id.endsWith('-halt'), 25_000);
    figures.outage_s = (up - down) / 1000;
    figures.outage_cost_s = (resumed.at - down) / 1000;
    assert.ok(resumed.at - down <= 25_000, `a 20 s outage cost ${(resumed.at - down) / 1000} s`);
    await pool.waitFor(() => pool.submits.some((s) => s.at > up && s.accepted), 60_000, 'an accepted share in the new session');
    figures.first_accepted_after_outage_s = (pool.submits.find((s) => s.at > up && s.accepted)!.at - up) / 1000;
    await sleep(3000);

    // 4. The whole run: no reject, no share sent twice, no header handed out twice.
    const rejected = pool.submits.filter((s) => !s.accepted);
    const byReason: Record<string, number> = {};
    for (const s of rejected) byReason[s.error ?? '?'] = (byReason[s.error ?? '?'] ?? 0) + 1;
    figures.pool_submits = pool.submits.length;
    figures.pool_accepted = pool.submits.length - rejected.length;
    figures.pool_rejected_by_reason = byReason;
    const st = rig.coordinator.stats() as any;
    figures.coordinator_pool = st.pool;
    figures.verified_shares = st.shares;
    assert.deepEqual(byReason, {}, '0 rejects');
    const keys = pool.submits.map((s) => s.params.slice(1).join('/'));
    assert.equal(new Set(keys).size, keys.length, 'no share sent twice');
    const headers = new Map<string, string>();
    let units = 0;
    for (const m of rig.devices.on('hashling/+/work')) {
      for (const u of m.json as Array<{ unit_id: string; job_id: string; header: string }>) {
        if (u.job_id.endsWith('-halt')) continue;
        units++;
        assert.ok(!headers.has(u.header), `unit ${u.unit_id} repeats the header of ${headers.get(u.header)}`);
        headers.set(u.header, u.unit_id);
      }
    }
    figures.units = units;
    figures.pool_job_ids = new Set(pool.submits.map((s) => s.params[1])).size;
    const rolled = pool.submits.filter((s) => s.params[5] !== undefined && (parseInt(s.params[5], 16) & 0x1fffe000) !== 0);
    figures.rolled_version_submits = rolled.length;
    for (const d of ['pi-a', 'pi-b']) {
      const bad = Object.entries(st.devices[d].rejected as Record<string, number>).filter(([k, n]) => n > 0 && k !== 'stale');
      assert.deepEqual(bad, [], `${d}: no share refused by the coordinator except stale ones`);
    }
    t_diag(figures);
  } finally {
    await Promise.all(agents.map(stopAgent));
    await rig.stop();
  }
});

/** The run's figures, one JSON line (docs/pools.md quotes them). */
function t_diag(figures: Record<string, unknown>): void {
  process.stdout.write(`# figures ${JSON.stringify(figures)}\n`);
}
