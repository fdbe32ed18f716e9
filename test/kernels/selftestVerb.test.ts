// The selftest command verb with replan: re-times the kernels, caches the plan in
// health.state_dir, switches the running agent's kernels, and refuses a bad argument.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selftest } from '../../agent/commands/verbs/diagnostics.ts';
import type { CommandHost, VerbContext } from '../../agent/commands/host.ts';
import { PLAN_FILE } from '../../kernels/planner.ts';
import { listAlgos } from '../../kernels/registry.ts';

function context(stateDir: string, args: Record<string, unknown>): { ctx: VerbContext; host: Pick<CommandHost, 'kernels'> } {
  const host = { kernels: { sha256d: 'sha256d-js-nested' }, config: () => ({ health: { state_dir: stateDir } }) } as unknown as CommandHost;
  return { ctx: { host, args, pending: {} } as unknown as VerbContext, host };
}

test('selftest with replan times the kernels, caches the plan and switches the agent\'s kernels', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hashling-replan-'));
  try {
    const { ctx, host } = context(dir, { replan: true });
    const reply = await selftest(ctx);
    const plan = reply.data.kernel_plan as Record<string, { kernel: string; reason: string; rates_hps: Record<string, number> }>;
    assert.deepEqual(Object.keys(plan).sort(), [...listAlgos()].sort());
    for (const p of Object.values(plan)) {
      assert.ok(['timed', 'only candidate'].includes(p.reason));
      assert.ok(p.rates_hps[p.kernel]! > 0);
    }
    assert.ok((reply.data.planned_ms as number) > 0);
    assert.equal(host.kernels.sha256d, plan.sha256d!.kernel, 'the next units mine with the new choice');
    assert.ok(existsSync(join(dir, PLAN_FILE)));
    assert.equal(JSON.parse(readFileSync(join(dir, PLAN_FILE), 'utf8')).plan.sha256d.kernel, plan.sha256d!.kernel);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('selftest without replan only checks; a non-boolean replan is refused with E_BAD_COMMAND', async () => {
  const plain = await selftest(context('', {}).ctx);
  assert.equal(plain.data.ok, true);
  assert.equal('kernel_plan' in plain.data, false);
  await assert.rejects(async () => selftest(context('', { replan: 'yes' }).ctx), (err: Error & { code?: string }) => err.code === 'E_BAD_COMMAND');
  await assert.rejects(async () => selftest(context('', { other: 1 }).ctx), (err: Error & { code?: string }) => err.code === 'E_BAD_COMMAND');
});
