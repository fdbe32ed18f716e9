// The sensor contract, run by every implementation (real sysfs readers on fixture
// trees and the in-memory fakes), the way MQTT.js runs abstract_store.ts against
// every store. A harness adapts one implementation: how to sample it (advancing
// its clock when it needs two samples), how to break its source and repair it.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Reading } from '../../../agent/sensors/types.ts';

export interface SensorHarness<T> {
  /** One settled sample (advances time / awaits background work as the sensor needs). */
  sample(): Promise<Reading<T>>;
  /** Make the source fail: remove the file, write garbage, make the command fail. */
  breakIt(): Promise<void>;
  repair(): Promise<void>;
  /** Whether a value is plausible for this kind of sensor. */
  valid(v: T): boolean;
  cleanup?(): Promise<void>;
}

export function runSensorContract<T>(label: string, make: () => Promise<SensorHarness<T>>): void {
  describe(`sensor contract: ${label}`, () => {
    const harnesses: SensorHarness<T>[] = [];
    const fresh = async () => { const h = await make(); harnesses.push(h); return h; };
    after(async () => { for (const h of harnesses) await h.cleanup?.(); });

    it('yields a plausible value and names its source when the source is healthy', async () => {
      const h = await fresh();
      const r = await h.sample();
      assert.equal(r.ok, true, `expected a value, got ${JSON.stringify(r)}`);
      if (r.ok) {
        assert.ok(h.valid(r.value), `implausible value ${JSON.stringify(r.value)}`);
        assert.ok(r.source.length > 0);
      }
    });

    it('turns a broken source into a fault with a message instead of throwing', async () => {
      const h = await fresh();
      await h.sample();
      await h.breakIt();
      const r = await h.sample();
      assert.equal(r.ok, false, `expected a fault, got ${JSON.stringify(r)}`);
      if (!r.ok) {
        assert.ok(r.fault.length > 0);
        assert.notEqual(r.transient, true, 'a broken source is not a transient condition');
      }
    });

    it('recovers once the source comes back', async () => {
      const h = await fresh();
      await h.sample();
      await h.breakIt();
      await h.sample();
      await h.repair();
      const r = await h.sample();
      assert.equal(r.ok, true, `expected recovery, got ${JSON.stringify(r)}`);
    });

    it('never rejects, even when reads overlap on a broken source', async () => {
      const h = await fresh();
      await h.breakIt();
      const rs = await Promise.all([h.sample(), h.sample(), h.sample()]);
      for (const r of rs) assert.equal(typeof r.ok, 'boolean');
    });
  });
}
