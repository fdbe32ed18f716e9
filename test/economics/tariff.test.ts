import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LocalTime } from '../../config/schedule.ts';
import { tariffWindowProblems } from '../../config/tariff.ts';
import { energyCost, flatTariff, meanPrice, priceAt, type Tariff } from '../../economics/tariff.ts';

// Local time = UTC here, so the expected figures do not depend on the machine's zone.
const utc = (ms: number): LocalTime => { const d = new Date(ms); return { day: d.getUTCDay(), minute: d.getUTCHours() * 60 + d.getUTCMinutes() }; };
const MON = Date.UTC(2024, 0, 1); // a Monday, 00:00 UTC
const H = 3_600_000;

const tou: Tariff = {
  currency: 'EUR', price_per_kwh: 0.2,
  windows: [
    { from: '17:00', to: '21:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'], price_per_kwh: 0.5 },
    { from: '23:00', to: '06:00', price_per_kwh: 0.1 },
  ],
};

test('a flat tariff prices every kWh the same', () => {
  const t = flatTariff(0.3);
  assert.ok(Math.abs(energyCost(t, 1000, 0, 10 * H) - 3) < 1e-12);
  assert.equal(t.currency, 'USD');
});

test('time-of-use windows apply in local time, wrap midnight, and honour days', () => {
  assert.deepEqual(priceAt(tou, utc(MON + 18 * H)), { price_per_kwh: 0.5, window: 0 });
  assert.deepEqual(priceAt(tou, utc(MON + 23.5 * H)), { price_per_kwh: 0.1, window: 1 });
  assert.deepEqual(priceAt(tou, utc(MON + 24 * H + 2 * H)), { price_per_kwh: 0.1, window: 1 }); // Tuesday 02:00, from Monday's window
  assert.deepEqual(priceAt(tou, utc(MON + 12 * H)), { price_per_kwh: 0.2, window: null });
  assert.deepEqual(priceAt(tou, utc(MON - 24 * H + 18 * H)), { price_per_kwh: 0.2, window: null }); // Sunday 18:00
});

test('a span across windows is priced minute by minute', () => {
  // Monday 16:30–17:30 at 1 kW: half an hour at 0.2, half an hour at 0.5.
  assert.ok(Math.abs(energyCost(tou, 1000, MON + 16.5 * H, MON + 17.5 * H, utc) - 0.35) < 1e-12);
  // One Monday: 6 h at 0.1 (00–06), 4 h at 0.5, 1 h at 0.1 (23–24), 13 h at 0.2 → mean price.
  const mean = meanPrice(tou, MON, MON + 24 * H, utc);
  assert.ok(Math.abs(mean - (6 * 0.1 + 4 * 0.5 + 1 * 0.1 + 13 * 0.2) / 24) < 1e-12);
});

test('bad windows are reported one problem per line', () => {
  const p = tariffWindowProblems([{ from: '25:00', to: '06:00', price_per_kwh: -1, color: 'red' }, 'x']);
  assert.deepEqual(p, ['window 0: unknown key "color"', 'window 0: from must be "HH:MM" (00:00-23:59)', 'window 0: price_per_kwh must be a number ≥ 0', 'window 1: must be an object']);
  assert.deepEqual(tariffWindowProblems(tou.windows), []);
  assert.throws(() => flatTariff(-0.1), RangeError);
});
