import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { initialGuardState, screenTemperature, type GuardOptions, type GuardState } from '../../../agent/sensors/guard.ts';

const O: GuardOptions = { stuckS: 60, maxJumpCPerS: 30, levelSpan: 1 };

/** Feeds (value, level) once per second and returns each verdict. */
function feed(samples: [number, number][]): (string | null)[] {
  let s: GuardState = initialGuardState();
  return samples.map(([v, level], i) => {
    const r = screenTemperature(s, v, i * 1000, level, O);
    s = r.state;
    return r.problem;
  });
}

describe('screenTemperature', () => {
  it('believes ordinary readings', () => {
    assert.deepEqual(feed([[50, 0], [51, 1], [52.5, 2], [52, 2]]), [null, null, null, null]);
  });

  it('flags a 30 °C jump in a second, and believes it once three readings agree', () => {
    const v = feed([[50, 1], [80, 1], [80.2, 1], [80.1, 1], [80.3, 1]]);
    assert.match(v[1]!, /jumped 30\.0 °C/);
    assert.ok(v[2]);
    assert.equal(v[3], null, 'the third agreeing reading is believed');
    assert.equal(v[4], null);
  });

  it('flags a value stuck for stuck_s while the load moved, and clears when it moves', () => {
    const samples: [number, number][] = [];
    for (let i = 0; i <= 61; i++) samples.push([55, i < 30 ? 4 : 1]);
    samples.push([55.3, 1]);
    const v = feed(samples);
    assert.equal(v[59], null);
    assert.match(v[60]!, /stuck at 55\.0 °C for 60 s/);
    assert.equal(v[62], null);
  });

  it('does not call a steady value stuck when the load did not change', () => {
    const samples: [number, number][] = Array.from({ length: 200 }, () => [55, 2]);
    assert.ok(feed(samples).every((p) => p === null));
  });
});
