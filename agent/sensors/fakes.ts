// In-memory sensors for tests and the simulator. They obey the same contract as
// the sysfs readers (test/agent/sensors/contract.ts runs them too).
import { fault, ok, type Reading, type Sensor } from './types.ts';

/** A sensor whose next value (or fault) the test sets. */
export class FakeSensor<T> implements Sensor<T> {
  private current: Reading<T>;
  reads = 0;

  constructor(readonly name: string, initial: T | null, private readonly source = 'fake') {
    this.current = initial === null ? fault(source, 'no value set') : ok(initial, source);
  }

  set(value: T): void { this.current = ok(value, this.source); }
  fail(message: string): void { this.current = fault(this.source, message); }

  async read(): Promise<Reading<T>> {
    this.reads++;
    return this.current;
  }
}

/** A sensor computed from a function of time (e.g. a simulated plant). */
export class FunctionSensor<T> implements Sensor<T> {
  constructor(readonly name: string, private readonly fn: (nowMs: number) => T | null, private readonly source = 'sim') {}

  async read(nowMs: number): Promise<Reading<T>> {
    try {
      const v = this.fn(nowMs);
      return v === null ? fault(this.source, 'no value') : ok(v, this.source);
    } catch (err) {
      return fault(this.source, (err as Error).message);
    }
  }
}
