import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideControl, type ControlInput, type ControlMemory, type ControlSettings } from '../../economics/profitControl.ts';

const pause: ControlSettings = { policy: 'pause_when_unprofitable', hysteresis: 0.1, min_hold_ms: 60_000, max_loss_per_day: 0 };
const dev = (id: string, revenue: number | null, cost: number | null, extra: Partial<ControlInput> = {}): ControlInput => ({ id, online: true, mode: 'hashing', revenue_per_day: revenue, cost_per_day: cost, own_max_cpu_percent: 100, ...extra });

test('pauses below cost × (1 − h), not inside the band, and never on an unknown price or cost', () => {
  const r = decideControl([dev('a', 0.5, 1), dev('b', 0.95, 1), dev('c', null, 1), dev('d', 0.1, null), dev('e', 0.1, 1, { online: false })], new Map(), pause, 0);
  assert.deepEqual(r.actions.map((a) => [a.device, a.action]), [['a', 'pause']]);
  assert.match(r.actions[0]!.reason, /unprofitable: revenue 0\.5\/day vs energy 1\/day/);
  assert.deepEqual(r.memory.get('a'), { paused: true, max_cpu_percent: null, since_ms: 0 });
});

test('resumes only above cost × (1 + h) and after the minimum hold: no flapping around break-even', () => {
  let mem: Map<string, ControlMemory> = decideControl([dev('a', 0.5, 1)], new Map(), pause, 0).memory;
  const paused = { mode: 'paused' };
  // Revenue wobbles around cost: nothing happens.
  for (const [t, rev] of [[70_000, 1.05], [80_000, 0.97], [90_000, 1.09]] as const) {
    const r = decideControl([dev('a', rev, 1, paused)], mem, pause, t);
    assert.deepEqual(r.actions, [], `t=${t}`);
    mem = r.memory;
  }
  // Clearly profitable but within the hold: wait.
  assert.deepEqual(decideControl([dev('a', 2, 1, paused)], mem, { ...pause, min_hold_ms: 600_000 }, 100_000).actions, []);
  const r = decideControl([dev('a', 2, 1, paused)], mem, pause, 100_000);
  assert.deepEqual(r.actions.map((a) => a.action), ['resume']);
  assert.equal(r.memory.has('a'), false);
});

test('an operator\'s pause is left alone; a device the policy paused that hashes again is paused again', () => {
  assert.deepEqual(decideControl([dev('a', 0.1, 1, { mode: 'paused' })], new Map(), pause, 0).actions, []);
  assert.deepEqual(decideControl([dev('a', 5, 1, { mode: 'paused' })], new Map(), pause, 0).actions, []);
  const mem = new Map([['a', { paused: true, max_cpu_percent: null, since_ms: 0 }]]);
  assert.deepEqual(decideControl([dev('a', 0.1, 1)], mem, pause, 120_000).actions.map((a) => a.action), ['pause']);
});

test('policy off gives back what the policy took', () => {
  const mem = new Map([['a', { paused: true, max_cpu_percent: null, since_ms: 0 }], ['b', { paused: false, max_cpu_percent: 40, since_ms: 0 }]]);
  const r = decideControl([dev('a', 0.1, 1, { mode: 'paused' }), dev('b', 0.1, 1, { own_max_cpu_percent: 80 })], mem, { ...pause, policy: 'off' }, 0);
  assert.deepEqual(r.actions.map((a) => [a.device, a.action, a.max_cpu_percent]), [['a', 'resume', undefined], ['b', 'budget', 80]]);
  assert.equal(r.memory.size, 0);
});

test('budget lowers loss-making devices so the fleet loses at most max_loss_per_day, never above their own level', () => {
  const budget: ControlSettings = { policy: 'budget', hysteresis: 0.1, min_hold_ms: 0, max_loss_per_day: 1 };
  // Margins: a +1, b −2, c −2 → fleet −3; allowed −1 → losers at k = (1 + 1) / 4 = 50 % of their own.
  const devices = [dev('a', 3, 2), dev('b', 1, 3, { own_max_cpu_percent: 80 }), dev('c', 0, 2, { own_max_cpu_percent: 50 })];
  const r = decideControl(devices, new Map(), budget, 0);
  assert.deepEqual(r.actions.map((a) => [a.device, a.max_cpu_percent]), [['b', 40], ['c', 25]]);
  for (const a of r.actions) assert.ok(a.max_cpu_percent! <= devices.find((d) => d.id === a.device)!.own_max_cpu_percent!);
  // Same figures next period: nothing to send.
  assert.deepEqual(decideControl(devices, r.memory, budget, 1000).actions, []);
  // Small changes stay put (hysteresis by step); the fleet back within budget restores each device's own level.
  assert.deepEqual(decideControl([dev('a', 3.2, 2), devices[1]!, devices[2]!], r.memory, budget, 2000).actions, []);
  const back = decideControl([dev('a', 10, 2), devices[1]!, devices[2]!], r.memory, budget, 3000);
  assert.deepEqual(back.actions.map((a) => [a.device, a.max_cpu_percent]), [['b', 80], ['c', 50]]);
  assert.equal(back.memory.size, 0);
});

test('budget leaves devices whose own level is unknown untouched', () => {
  const r = decideControl([dev('x', 0, 5, { own_max_cpu_percent: null })], new Map(), { policy: 'budget', hysteresis: 0.1, min_hold_ms: 0, max_loss_per_day: 0 }, 0);
  assert.deepEqual(r.actions, []);
});
