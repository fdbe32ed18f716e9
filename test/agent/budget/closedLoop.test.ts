// The thermal budget end to end: a real agent process, a real Mosquitto, and a heat model
// outside the agent that turns the agent's REAL CPU use (/proc/<pid>/stat) into
// the temperature file under sensors.sysfs_root. The plant's time constant is
// shrunk to 8 s so the whole test stays under a minute of hashing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMosquitto, type Broker } from '../../../harness/mosquitto.ts';
import { spawnAgent, type AgentProcess } from '../../helpers/agentProcess.ts';
import { Collector } from '../../helpers/collector.ts';
import { HeatModel, cpuSeconds, type HeatParams } from './heatModel.ts';

import { GENESIS as genesis } from '../../fixtures/chain.ts';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Plant: idle 55 °C and 20 °C per busy core, so holding 61 °C (setpoint 60.5) needs
// only ~0.28 of the 2 threads, and a 3.5 W cap 0.25. The demand is kept that low
// on purpose: this test runs on shared 2-core machines where the agent may get
// little CPU (measured: 0.35 core at most with the load average at 11).
const PLANT: HeatParams = { ambient_c: 25, r_c_per_w: 10, tau_s: 8, idle_w: 3, active_w_per_core: 2 };
const TARGET = 61;
const CAP_W = 3.5;

/** The agent's budget config: the controller is told the same model as the plant. */
const budgetEnv = (root: string, extra: Record<string, string> = {}) => ({
  HASHLING_SENSORS_SYSFS_ROOT: root,
  HASHLING_BUDGET_PROFILE: 'generic',
  HASHLING_BUDGET_IDLE_W: String(PLANT.idle_w),
  HASHLING_BUDGET_ACTIVE_W_PER_CORE: String(PLANT.active_w_per_core),
  HASHLING_BUDGET_THERMAL_R_C_PER_W: String(PLANT.r_c_per_w),
  HASHLING_BUDGET_THERMAL_TAU_S: String(PLANT.tau_s),
  HASHLING_BUDGET_RESPONSE_S: '3',
  HASHLING_BUDGET_RAMP_UP_PER_S: '0.5',
  HASHLING_BUDGET_TEMP_TARGET_C: String(TARGET),
  HASHLING_BUDGET_TEMP_CUTOFF_C: '80',
  ...extra,
});

/** A unit far too long to finish in the test, at a target no hash meets. */
const endlessUnit = (id: string) => JSON.stringify({
  v: 1, unit_id: id, job_id: 'heat', algo: 'sha256d', header: genesis.header_hex, target: '00'.repeat(32), nonce_start: 0, nonce_end: 4294967295,
});

describe('closed loop: agent, real CPU use, outside heat model', { timeout: 150_000 }, () => {
  let broker: Broker;
  let c: Collector;
  const running: { agent: AgentProcess; model: HeatModel; root: string }[] = [];

  before(async () => {
    broker = await startMosquitto();
    c = await Collector.connect(broker.url, ['hashling/#']);
  });
  after(async () => {
    for (const r of running) {
      r.model.stop();
      if (r.agent.proc.exitCode === null) r.agent.proc.kill('SIGKILL');
      rmSync(r.root, { recursive: true, force: true });
    }
    await c.close();
    await broker.stop();
  });

  async function launch(id: string, plant: HeatParams, extra: Record<string, string> = {}) {
    const root = mkdtempSync(join(tmpdir(), 'hashling-heat-'));
    const model = new HeatModel(root, plant);
    const agent = spawnAgent(['--broker', broker.url, '--device-id', id, '--threads', '2'], budgetEnv(root, extra));
    running.push({ agent, model, root });
    await c.wait(`hashling/${id}/status`, (j) => j?.state === 'online', 30_000);
    model.follow(agent.proc.pid!);
    await c.publish(`hashling/${id}/work`, endlessUnit(`${id}-1`));
    const startedAt = model.samples.length === 0 ? 0 : model.samples.at(-1)!.t_s;
    return { agent, model, startedAt };
  }

  it('holds the target within 1 °C, resumes full speed when the room cools, and survives the sensor vanishing', async (t) => {
    const id = 'heat-1';
    const { agent, model, startedAt } = await launch(id, { ...PLANT });
    await sleep(35_000);
    const settled = model.window(startedAt + 20, startedAt + 35);
    const temps = settled.map((s) => s.temp_c);
    const report = settled.map((s) => `${s.t_s.toFixed(0)}s ${s.temp_c.toFixed(2)}°C busy ${s.busy.toFixed(2)}`).join('\n');
    assert.ok(settled.length >= 8, `heat model samples:\n${report}`);
    assert.ok(temps.every((x) => Math.abs(x - TARGET) <= 1), `not within 1 °C of ${TARGET}:\n${report}`);
    t.diagnostic(`settled 20-35 s: ${Math.min(...temps).toFixed(2)}-${Math.max(...temps).toFixed(2)} °C (target ${TARGET})`);
    const throttled = await c.wait(`hashling/${id}/state`, (j) => j?.limited_by === 'temp' && j?.mode !== 'idle');
    assert.equal(throttled.json.mode, 'throttled');

    // The room cools: full load now stays far below the target, so every thread hashes.
    model.p.ambient_c = -30;
    const full = await c.wait(`hashling/${id}/telemetry`, (j) => j?.throttle_level === 2, 20_000);
    assert.ok(full.json.temp_c < TARGET);
    const s = await c.wait(`hashling/${id}/state`, (j) => j?.limited_by === null && j?.level === 2, 5_000);
    assert.equal(s.json.mode, 'hashing');

    // The temperature file disappears: a warning event and a conservative level, no crash.
    model.removeSensor();
    const warn = await c.wait(`hashling/${id}/events`, (j) => j?.code === 'E_SENSOR', 10_000);
    assert.equal(warn.json.type, 'warning');
    assert.match(warn.json.message, /temperature sensor.*ENOENT/);
    const fallback = await c.wait(`hashling/${id}/state`, (j) => j?.limited_by === 'sensor', 5_000);
    assert.equal(fallback.json.level, 0.5, '25 % of 2 threads');
    await sleep(2000);
    assert.equal(agent.proc.exitCode, null, agent.output());
    const late = c.on(`hashling/${id}/telemetry`).at(-1)!;
    assert.equal(late.json.temp_c, null);
    assert.equal(late.json.throttle_level, 0.5);
    agent.proc.kill('SIGTERM');
    assert.equal(await agent.exited, 0);
  });

  it('holds a watt cap on the measured CPU use', async (t) => {
    const id = 'heat-2';
    // Cold room: temperature never binds; the cap allows 0.25 busy core of the 2.
    const { agent, model, startedAt } = await launch(id, { ...PLANT, ambient_c: -30 }, { HASHLING_BUDGET_POWER_W: String(CAP_W) });
    await sleep(15_000); // the cap's integral needs ~10 s when the level buys half the CPU it should
    const cpu0 = cpuSeconds(agent.proc.pid!);
    const t0 = performance.now();
    await sleep(10_000);
    const busy = (cpuSeconds(agent.proc.pid!) - cpu0) / ((performance.now() - t0) / 1000);
    const meanW = PLANT.idle_w + PLANT.active_w_per_core * busy;
    const report = model.window(startedAt, startedAt + 30).map((s) => `${s.t_s.toFixed(0)}s ${s.power_w.toFixed(2)} W`).join(', ');
    assert.ok(Math.abs(meanW - CAP_W) / CAP_W <= 0.03, `mean ${meanW.toFixed(3)} W (${busy.toFixed(3)} busy cores) over 10 s: ${report}`);
    t.diagnostic(`cap ${CAP_W} W: mean ${meanW.toFixed(3)} W, ${busy.toFixed(3)} busy cores over 10 s`);
    const st = await c.wait(`hashling/${id}/state`, (j) => j?.limited_by === 'power');
    assert.equal(st.json.setpoints.power_w, CAP_W);
    agent.proc.kill('SIGTERM');
    assert.equal(await agent.exited, 0);
  });
});
