// The component runner: start in order, and on a failed start stop what was
// started, in reverse, before the error comes back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { component, startAll } from '../../lifecycle/component.ts';
import { clampDelay, MAX_DELAY_MS } from '../../lifecycle/clock.ts';
import { EXIT, exitCodeFor } from '../../lifecycle/exitCodes.ts';
import { HashlingError } from '../../protocol/errors.ts';
import { FakeClock } from '../helpers/fakeClock.ts';

function parts(failAt: string | null, log: string[]) {
  return ['link', 'pool', 'budget', 'agent'].map((name) => component(name,
    async () => { log.push(`start ${name}`); if (name === failAt) throw new HashlingError('E_CONFIG', `${name} cannot start`); },
    async () => { log.push(`stop ${name}`); }));
}

test('components start in order and stop in reverse', async () => {
  const log: string[] = [];
  const running = await startAll(parts(null, log), () => {});
  await running.stop();
  await running.stop();
  assert.deepEqual(log, ['start link', 'start pool', 'start budget', 'start agent', 'stop agent', 'stop budget', 'stop pool', 'stop link']);
});

test('a failed start stops the started ones in reverse and rethrows; the failed one is not stopped', async () => {
  const log: string[] = [];
  await assert.rejects(startAll(parts('budget', log), () => {}), /budget cannot start/);
  assert.deepEqual(log, ['start link', 'start pool', 'start budget', 'stop pool', 'stop link']);
});

test('a stop that throws is logged and the others still stop', async () => {
  const log: string[] = [];
  const lines: string[] = [];
  const running = await startAll([
    component('a', () => {}, () => { log.push('stop a'); }),
    component('b', () => {}, () => { throw new Error('boom'); }),
  ], (l) => lines.push(l));
  await running.stop();
  assert.deepEqual(log, ['stop a']);
  assert.match(lines[0]!, /E_INTERNAL stopping b: boom/);
});

test('every error code maps to one documented exit code', () => {
  const table: [string, number][] = [
    ['E_USAGE', EXIT.USAGE], ['E_CONFIG', EXIT.CONFIG], ['E_UNAVAILABLE', EXIT.UNAVAILABLE], ['E_NOT_AUTHORIZED', EXIT.NOPERM],
    ['E_DUPLICATE_ID', EXIT.DUPLICATE_ID], ['E_SELFTEST', EXIT.SOFTWARE], ['E_INTERNAL', EXIT.SOFTWARE],
  ];
  for (const [code, exit] of table) assert.equal(exitCodeFor(new HashlingError(code as HashlingError['code'], 'x')), exit, code);
  assert.equal(exitCodeFor(new Error('plain')), EXIT.SOFTWARE);
  assert.deepEqual([EXIT.USAGE, EXIT.UNAVAILABLE, EXIT.CONFIG], [64, 69, 78]);
});

test('timer delays are clamped to what a Node timer holds', () => {
  assert.equal(clampDelay(3e9), MAX_DELAY_MS);
  assert.equal(clampDelay(-5), 0);
  assert.equal(clampDelay(Number.NaN), 0);
  assert.equal(clampDelay(250), 250);
});

test('the fake clock fires timers in time order, intervals repeatedly, and cleared ones never', () => {
  const c = new FakeClock(0);
  const seen: string[] = [];
  c.setTimeout(() => seen.push(`t500@${c.now()}`), 500);
  const i = c.setInterval(() => seen.push(`i300@${c.now()}`), 300);
  const gone = c.setTimeout(() => seen.push('never'), 100);
  c.clearTimeout(gone);
  c.advance(1000);
  c.clearInterval(i);
  c.advance(1000);
  assert.deepEqual(seen, ['i300@300', 't500@500', 'i300@600', 'i300@900']);
  assert.equal(c.pending, 0);
});
