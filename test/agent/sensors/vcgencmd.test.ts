import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from './helpers.ts';
import { PolledCommand, parsePmicAdc, parseThrottled } from '../../../agent/sensors/vcgencmd.ts';

describe('parseThrottled', () => {
  const cases: [string, string[], string[]][] = [
    ['throttled=0x0\n', [], []],
    ['throttled=0x50005\n', ['under_voltage', 'throttled'], ['under_voltage', 'throttled']],
    ['throttled=0x80008', ['soft_temp_limit'], ['soft_temp_limit']],
    ['throttled=0x20002', ['arm_freq_capped'], ['arm_freq_capped']],
    ['throttled=0xE0000', [], ['arm_freq_capped', 'throttled', 'soft_temp_limit']],
  ];
  for (const [out, now, since] of cases) {
    it(`decodes ${out.trim()}`, () => {
      const f = parseThrottled(out);
      assert.notEqual(typeof f, 'string');
      if (typeof f !== 'string') { assert.deepEqual(f.now, now); assert.deepEqual(f.since_boot, since); }
    });
  }
  it('rejects output that is not a hex bit field', () => {
    assert.equal(typeof parseThrottled('error=2 error_msg="Invalid arguments"'), 'string');
    assert.equal(typeof parseThrottled(''), 'string');
  });
});

describe('parsePmicAdc', () => {
  it('sums V × A over the rails of a captured Pi 5 output, skipping volt-only rails', () => {
    const out = readFileSync(join(FIXTURES, 'pi5/vcgencmd/pmic_read_adc.txt'), 'utf8');
    const w = parsePmicAdc(out);
    assert.equal(typeof w, 'number');
    assert.ok(Math.abs((w as number) - 3.5464) < 1e-9, `got ${w}`); // hand sum of the 12 rail pairs
  });
  it('is an error on a Pi without the PMIC command', () => {
    const out = readFileSync(join(FIXTURES, 'pi4/vcgencmd/pmic_read_adc.txt'), 'utf8');
    assert.match(String(parsePmicAdc(out)), /no rails/);
  });
});

describe('PolledCommand', () => {
  it('spawns at most once per interval however often the loop reads it', async () => {
    let runs = 0;
    const s = new PolledCommand('throttled', 'vcgencmd', ['get_throttled'], 30_000, async () => { runs++; return 'throttled=0x0'; }, parseThrottled);
    for (let t = 0; t <= 90_000; t += 1000) { await s.read(t); await s.idle(); }
    assert.equal(runs, 4); // at 0, 30, 60 and 90 s
  });

  it('does not start a second spawn while one is still running', async () => {
    let runs = 0;
    let release!: () => void;
    const s = new PolledCommand('p', 'pmic', ['pmic_read_adc'], 1000, () => { runs++; return new Promise<string>((r) => { release = () => r('x'); }); }, parsePmicAdc);
    await s.read(0);
    await s.read(5000);
    assert.equal(runs, 1);
    release();
    await s.idle();
  });

  it('answers at once with a transient fault before the first result', async () => {
    const s = new PolledCommand('throttled', 'vcgencmd', ['get_throttled'], 1000, () => new Promise(() => {}), parseThrottled);
    const r = await s.read(0);
    assert.equal(!r.ok && r.transient, true);
  });
});
