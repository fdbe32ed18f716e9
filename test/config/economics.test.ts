// The `economics` section: typed from its keys, set from env as JSON where the
// value is structured, every bad value named, the treasury parameters checked
// against the policy, and nothing of it writable over MQTT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../config/load.ts';
import { remoteKeys } from '../../config/patch.ts';
import { allKeys } from '../../config/schema.ts';
import type { HashlingError } from '../../protocol/errors.ts';

const problems = (env: Record<string, string>): string[] => {
  try {
    loadConfig({ env });
    return [];
  } catch (err) {
    assert.equal((err as HashlingError).code, 'E_CONFIG');
    return ((err as HashlingError & { data: { problems: string[] } }).data).problems;
  }
};

test('defaults: no price, no tariff, policy off, hold; the section is deep-frozen', () => {
  const e = loadConfig({ env: {} }).economics;
  assert.deepEqual({ ...e, tariff_windows: [...e.tariff_windows], treasury_params: { ...e.treasury_params } }, {
    coin: 'btc', currency: 'USD', price: 0, price_max_age_s: 3600, tariff_per_kwh: 0, tariff_windows: [], pool_fee: 0, payout: 'fpps', block_reward: 0,
    period_s: 60, policy: 'off', hysteresis: 0.1, min_hold_s: 300, max_loss_per_day: 0, treasury_policy: 'hold', treasury_params: {},
  });
  assert.ok(Object.isFrozen(e) && Object.isFrozen(e.tariff_windows));
});

test('env sets every kind of key: numbers, choices, and JSON windows and parameters', () => {
  const e = loadConfig({
    env: {
      HASHLING_ECONOMICS_COIN: 'ltc', HASHLING_ECONOMICS_CURRENCY: 'EUR', HASHLING_ECONOMICS_POOL_FEE: '0.02', HASHLING_ECONOMICS_POLICY: 'budget',
      HASHLING_ECONOMICS_TARIFF_WINDOWS: '[{"days":["mon"],"from":"17:00","to":"21:00","price_per_kwh":0.5}]',
      HASHLING_ECONOMICS_TREASURY_POLICY: 'ma', HASHLING_ECONOMICS_TREASURY_PARAMS: '{"short":5,"long":20}',
    },
  }).economics;
  assert.equal(e.coin, 'ltc');
  assert.equal(e.pool_fee, 0.02);
  assert.equal(e.policy, 'budget');
  assert.deepEqual(e.tariff_windows, [{ days: ['mon'], from: '17:00', to: '21:00', price_per_kwh: 0.5 }]);
  assert.deepEqual(e.treasury_params, { short: 5, long: 20 });
});

test('every bad value is named with what is accepted', () => {
  const p = problems({
    HASHLING_ECONOMICS_COIN: 'BTC/x', HASHLING_ECONOMICS_CURRENCY: 'usd', HASHLING_ECONOMICS_POOL_FEE: '1', HASHLING_ECONOMICS_PERIOD_S: '0',
    HASHLING_ECONOMICS_POLICY: 'yolo', HASHLING_ECONOMICS_TARIFF_WINDOWS: '[{"from":"25:00","to":"06:00","price_per_kwh":-1}]',
    HASHLING_ECONOMICS_TREASURY_PARAMS: 'every=7',
  });
  const want = [
    /^economics\.coin: must be a lowercase coin symbol/, /^economics\.currency: must be an ISO 4217 code/, /^economics\.pool_fee: must be a fraction in \[0, 1\)/,
    /^economics\.period_s: must be a number within \(0, 86400\]/, /^economics\.policy: must be one of off, pause_when_unprofitable, budget/,
    /^economics\.tariff_windows: window 0: from must be "HH:MM".*price_per_kwh must be a number ≥ 0/, /^economics\.treasury_params: not valid JSON/,
  ];
  for (const re of want) assert.ok(p.some((l) => re.test(l)), `${re} in:\n${p.join('\n')}`);
});

test('treasury parameters must belong to the policy and be in range (a cross-key rule: E_CONFIG at load, before anything starts)', () => {
  assert.deepEqual(problems({ HASHLING_ECONOMICS_TREASURY_POLICY: 'ma', HASHLING_ECONOMICS_TREASURY_PARAMS: '{"short":50,"long":20}' }),
    ['economics.treasury_params: ma: short (50) must be below long (20)']);
  assert.deepEqual(problems({ HASHLING_ECONOMICS_TREASURY_POLICY: 'dca', HASHLING_ECONOMICS_TREASURY_PARAMS: '{"window":5}' }),
    ['economics.treasury_params: "window" is not a parameter of dca (its parameters: every, fraction)']);
  assert.deepEqual(problems({ HASHLING_ECONOMICS_TREASURY_PARAMS: '{"fraction":0.5}' }),
    ['economics.treasury_params: "fraction" is not a parameter of hold (it takes none)']);
  assert.match(problems({ HASHLING_ECONOMICS_TREASURY_PARAMS: '{"bogus":1}' })[0], /^economics\.treasury_params: unknown parameter "bogus"/);
});

test('no economics key is writable over MQTT: the coordinator\'s operator sets them, and the coordinator has no config/set', () => {
  const keys = allKeys().filter(([s]) => s === 'economics').map(([s, k]) => `${s}.${k}`);
  assert.equal(keys.length, 16);
  for (const k of keys) assert.ok(!remoteKeys().includes(k), k);
});
