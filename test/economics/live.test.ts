import { test } from 'node:test';
import assert from 'node:assert/strict';
import { economicsSnapshot, type DeviceView, type EconomicsInputs } from '../../economics/live.ts';
import { MAX_PRICE_PAYLOAD_BYTES, parseMarketPrice } from '../../protocol/economics.ts';
import { DailyCloses, liveSignal } from '../../economics/treasury/signal.ts';
import { makePolicy } from '../../economics/treasury/policies.ts';
import type { HashlingError } from '../../protocol/errors.ts';

const device = (id: string, x: Partial<DeviceView> = {}): DeviceView => ({
  id, online: true, mode: 'hashing', hashrate_hps: 2 ** 32 / 86400, capacity_hps: 2 ** 32 / 86400, power_w: 5, power_source: 'model', hashing_power_w: 5,
  measured_kwh: 0, modelled_kwh: 0.12, energy_cost: 0.036, earned_coins: 0, pool_earned_coins: 0, policy: null, ...x,
});
const inputs = (x: Partial<EconomicsInputs> = {}): EconomicsInputs => ({
  coin: 'btc', currency: 'USD', period_s: 60, terms: { scheme: 'fpps', poolFee: 0 }, tariff: { price_per_kwh: 0.3, window: null },
  network: { difficulty: 1, nbits: '1d00ffff', reward: { subsidy: 50, fees: 0 }, reward_source: 'coinbase', height: 1 },
  price: { value: 0.01, source: 'mqtt', status: 'ok', detail: null, ts: 0 }, devices: [device('a')], ...x,
});

test('a device hashing 2^32 hashes a day at difficulty 1 earns one block a day', () => {
  const s = economicsSnapshot(inputs()) as any;
  const a = s.devices.a;
  assert.equal(a.coins_per_day, 50);
  assert.equal(a.revenue_per_day, 0.5);
  assert.equal(a.kwh_per_day, 0.12);
  assert.equal(a.cost_per_day, 0.036);
  assert.equal(a.margin_per_day, 0.464);
  assert.equal(a.break_even_price, 0.00072); // 0.036 / 50
  assert.equal(a.break_even_tariff, 4.16667); // 0.5 / 0.12, published to 6 significant digits
  assert.equal(a.energy.basis, 'modelled');
  assert.equal(s.fleet.devices_online, 1);
  assert.equal(s.fleet.revenue_per_day, 0.5);
});

test('an unknown price leaves revenue, margin and break-even tariff unknown, never guessed', () => {
  const s = economicsSnapshot(inputs({ price: { value: null, source: null, status: 'unknown', detail: null, ts: null } })) as any;
  assert.equal(s.devices.a.revenue_per_day, null);
  assert.equal(s.devices.a.margin_per_day, null);
  assert.equal(s.devices.a.break_even_tariff, null);
  assert.equal(s.devices.a.break_even_price, 0.00072);
  assert.equal(s.fleet.revenue_per_day, null);
  const n = economicsSnapshot(inputs({ network: { difficulty: null, nbits: null, reward: null, reward_source: null, height: null } })) as any;
  assert.equal(n.devices.a.coins_per_day, null);
  assert.equal(n.devices.a.revenue_per_day, null);
});

test('a paused device earns nothing now but shows what hashing would bring; offline devices count for nothing', () => {
  const s = economicsSnapshot(inputs({ devices: [device('a', { mode: 'paused', hashrate_hps: 0, power_w: 3 }), device('b', { online: false })] })) as any;
  assert.equal(s.devices.a.revenue_per_day, 0);
  assert.equal(s.devices.a.hashing.revenue_per_day, 0.5);
  assert.equal(s.devices.a.hashing.cost_per_day, 0.036);
  assert.equal(s.devices.b.state, 'offline');
  assert.equal(s.fleet.devices_online, 1);
  assert.equal(s.fleet.power_w, 3);
});

test('market prices are validated: shape, currency, age and future timestamps', () => {
  const now = 1_767_225_600_000;
  const enc = (o: unknown) => Buffer.from(typeof o === 'string' ? o : JSON.stringify(o));
  assert.deepEqual(parseMarketPrice(enc({ v: 1, price: 64000.5, currency: 'usd', ts: now - 1000 }), 'USD', now, 3_600_000), { price: 64000.5, currency: 'USD', ts: now - 1000 });
  assert.equal(parseMarketPrice(enc({ price: 1, currency: 'USD' }), 'USD', now, 1).ts, now);
  const bad: Array<[unknown, string, RegExp]> = [
    ['64000', 'E_BAD_PRICE', /must be a JSON object/], ['{not json', 'E_BAD_JSON', /price payload is not JSON/],
    [{ price: -1, currency: 'USD' }, 'E_BAD_PRICE', /price must be a number > 0/],
    [{ price: '1', currency: 'USD' }, 'E_BAD_PRICE', /price must be a number > 0/], [{ price: 1 }, 'E_BAD_PRICE', /currency is missing/],
    [{ price: 1, currency: 'EUR' }, 'E_BAD_PRICE', /in EUR, economics.currency is USD \(prices are never converted\)/],
    [{ price: 1, currency: 'USD', ts: now - 7_200_000 }, 'E_BAD_PRICE', /older than 3600 s/],
    [{ price: 1, currency: 'USD', ts: now + 3_600_000 }, 'E_BAD_PRICE', /in the future/],
    [{ v: 2, price: 1, currency: 'USD' }, 'E_BAD_PRICE', /version 2/],
    ['{"price":1,"currency":"USD","__proto__":{"price":2}}', 'E_FORBIDDEN_KEY', /key "__proto__" is not allowed/],
    [{ price: 1, currency: 'USD', pad: 'x'.repeat(MAX_PRICE_PAYLOAD_BYTES) }, 'E_TOO_LARGE', /price payload is \d+ bytes; at most 4096/],
  ];
  for (const [p, code, re] of bad) {
    assert.throws(() => parseMarketPrice(enc(p), 'USD', now, 3_600_000), (e: HashlingError) => e.code === code && re.test(e.message), String(JSON.stringify(p)).slice(0, 80));
  }
});

test('the live treasury signal uses one close per UTC day and the configured policy', () => {
  const closes = new DailyCloses();
  const day = 86_400_000;
  for (let i = 0; i < 5; i++) { closes.add(i * day + 1000, 10); closes.add(i * day + 5000, 10 + i); }
  closes.add(0, 999); // older than the newest day: ignored
  assert.deepEqual(closes.prices(), [10, 11, 12, 13, 14]);
  assert.equal(liveSignal(makePolicy('ma', { short: 2, long: 4, fraction: 0.5 }), closes, 5 * day)!.action, 'hold');
  assert.deepEqual(liveSignal(makePolicy('sell-on-receipt'), closes, 5 * day), { action: 'sell', fraction: 1, reason: 'sell-on-receipt: sell the coins received' });
  assert.equal(liveSignal(makePolicy('hold'), new DailyCloses(), 0), null);
});
