// Raspberry Pi firmware queries through `vcgencmd`. Each one is a process spawn
// (tens of ms on a Pi), so they are polled slowly in the background and the
// control tick only ever reads the cached result.
// Output formats: Raspberry Pi documentation, "vcgencmd" (computers/os.html#vcgencmd).
import { execFile } from 'node:child_process';
import { fault, ok, describeError, type Reading, type Sensor, type ThrottledFlags } from './types.ts';

/** Runs the tool with arguments and resolves to its stdout. Injected in tests. */
export type CommandRunner = (args: string[]) => Promise<string>;

export function vcgencmdRunner(path: string, timeoutMs = 2000): CommandRunner {
  return (args) => new Promise((resolve, reject) => {
    execFile(path, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

// get_throttled bits (Raspberry Pi documentation, os.html#get_throttled):
// 0 under-voltage detected, 1 Arm frequency capped, 2 currently throttled,
// 3 soft temperature limit active; bits 16-19 = the same "has occurred" since boot.
const FLAG_NAMES = ['under_voltage', 'arm_freq_capped', 'throttled', 'soft_temp_limit'];

/** Decodes "throttled=0x50005" (or a bare "0x50005"); a string is a parse error. */
export function parseThrottled(out: string): ThrottledFlags | string {
  const m = /^\s*(?:throttled=)?(0x[0-9a-fA-F]+)\s*$/.exec(out);
  if (!m) return `unexpected get_throttled output: ${JSON.stringify(out.trim().slice(0, 60))}`;
  const bits = parseInt(m[1], 16);
  return {
    raw: `0x${bits.toString(16)}`,
    now: FLAG_NAMES.filter((_, i) => (bits & (1 << i)) !== 0),
    since_boot: FLAG_NAMES.filter((_, i) => (bits & (1 << (16 + i))) !== 0),
  };
}

/**
 * Whole-board power from a Pi 5 `pmic_read_adc`: the sum of V × A over every rail
 * that reports both ("VDD_CORE_A current(7)=0.56A" with "VDD_CORE_V volt(15)=0.77V").
 * EXT5V/BATT report volts only and are skipped. This is PMIC output power: it
 * leaves out conversion losses and USB peripherals, so it reads below a wall meter.
 */
export function parsePmicAdc(out: string): number | string {
  const amps = new Map<string, number>();
  const volts = new Map<string, number>();
  for (const line of out.split('\n')) {
    const m = /^\s*(\S+)_([AV])\s+(?:current|volt)\(\d+\)=([0-9.]+)[AV]\s*$/.exec(line);
    if (!m) continue;
    (m[2] === 'A' ? amps : volts).set(m[1], Number(m[3]));
  }
  let watts = 0;
  let rails = 0;
  for (const [rail, a] of amps) {
    const v = volts.get(rail);
    if (v === undefined) continue;
    watts += a * v;
    rails++;
  }
  if (rails === 0) return `no rails in pmic_read_adc output: ${JSON.stringify(out.trim().slice(0, 60))}`;
  return watts;
}

/** A value refreshed by a slow background command; read() returns the latest result at once. */
export class PolledCommand<T> implements Sensor<T> {
  private cached: Reading<T> | null = null;
  private lastStart: number | null = null;
  private inflight: Promise<void> | null = null;

  constructor(
    readonly name: string,
    private readonly source: string,
    private readonly args: string[],
    private readonly intervalMs: number,
    private readonly run: CommandRunner,
    private readonly parse: (out: string) => T | string,
  ) {}

  async read(nowMs: number): Promise<Reading<T>> {
    if (this.inflight === null && (this.lastStart === null || nowMs - this.lastStart >= this.intervalMs)) {
      this.lastStart = nowMs;
      this.inflight = this.run(this.args).then(
        (out) => {
          const v = this.parse(out);
          this.cached = typeof v === 'string' ? fault(this.source, v) : ok(v, this.source);
        },
        (err) => { this.cached = fault(this.source, `${this.args[0]} failed: ${describeError(err)}`); },
      ).finally(() => { this.inflight = null; });
    }
    return this.cached ?? fault(this.source, 'first sample pending', true);
  }

  /** Resolves when no command is running (tests, and stop()). */
  async idle(): Promise<void> {
    await this.inflight;
  }
}
