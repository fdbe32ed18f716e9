import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { activeWindow, scheduleProblems, windowCovers, type ScheduleWindow } from '../../config/schedule.ts';

const at = (day: number, hhmm: string) => ({ day, minute: Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3)) });
const MON = 1, TUE = 2, SAT = 6, SUN = 0;

describe('windowCovers', () => {
  const night: ScheduleWindow = { from: '23:00', to: '07:00', days: ['mon'] };
  const cases: [string, ScheduleWindow, ReturnType<typeof at>, boolean][] = [
    ['a day window includes its start', { from: '09:00', to: '17:00' }, at(MON, '09:00'), true],
    ['a day window excludes its end', { from: '09:00', to: '17:00' }, at(MON, '17:00'), false],
    ['a night window covers the evening of its start day', night, at(MON, '23:30'), true],
    ['a night window covers the next morning', night, at(TUE, '06:59'), true],
    ['a night window does not cover the morning of its start day', night, at(MON, '06:00'), false],
    ['a night window ends at its end time', night, at(TUE, '07:00'), false],
    ['from == to is the whole day', { from: '00:00', to: '00:00', days: ['sat', 'sun'] }, at(SUN, '13:37'), true],
    ['days restrict a whole-day window', { from: '00:00', to: '00:00', days: ['sat', 'sun'] }, at(MON, '13:37'), false],
    ['Saturday night runs into Sunday morning', { from: '22:00', to: '02:00', days: ['sat'] }, at(SUN, '01:00'), true],
    ['a Sunday-night window wraps into Monday, not backwards', { from: '22:00', to: '02:00', days: ['sun'] }, at(MON, '01:00'), true],
    ['and not on Saturday', { from: '22:00', to: '02:00', days: ['sun'] }, at(SAT, '23:00'), false],
  ];
  for (const [name, w, t, want] of cases) it(name, () => assert.equal(windowCovers(w, t), want));
});

describe('activeWindow', () => {
  it('returns the first matching window, so exceptions go first', () => {
    const s: ScheduleWindow[] = [{ from: '12:00', to: '13:00', paused: true }, { from: '07:00', to: '23:00', power_w: 4 }];
    assert.equal(activeWindow(s, at(MON, '12:30'))?.paused, true);
    assert.equal(activeWindow(s, at(MON, '14:00'))?.power_w, 4);
    assert.equal(activeWindow(s, at(MON, '03:00')), null);
  });
});

describe('scheduleProblems', () => {
  it('accepts a valid schedule', () => {
    assert.deepEqual(scheduleProblems([{ days: ['mon'], from: '23:00', to: '07:00', max_cpu_percent: 100, power_w: 0, paused: false }]), []);
  });
  it('lists every problem at once', () => {
    const p = scheduleProblems([{ from: '24:00', to: '7:00', days: ['monday'], max_cpu_percent: 150, power_w: -1, paused: 'yes', colour: 'red' }, 3]);
    assert.equal(p.length, 8, p.join('\n'));
    assert.ok(p.some((l) => l.includes('unknown key "colour"')));
    assert.ok(p.some((l) => l.startsWith('window 1')));
  });
  it('rejects a non-array', () => assert.equal(scheduleProblems({ from: '00:00' }).length, 1));
});
