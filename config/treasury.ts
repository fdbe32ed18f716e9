// Treasury sell policies as configuration: their names, the parameters each
// takes with defaults, and the checks of a parameter set. One source for
// economics.treasury_params (config/economics.ts, config/rules.ts), the
// `hashling treasury backtest` flags and the policies themselves
// (economics/treasury/policies.ts). Pure.

export const TREASURY_POLICIES = ['hold', 'sell-on-receipt', 'dca', 'ma', 'zscore'] as const;
export type TreasuryPolicy = (typeof TREASURY_POLICIES)[number];

export interface TreasuryParams {
  every?: number;
  fraction?: number;
  short?: number;
  long?: number;
  window?: number;
  z?: number;
}
export type TreasuryParamName = keyof TreasuryParams;

export const TREASURY_PARAM_NAMES: Readonly<Record<TreasuryPolicy, readonly TreasuryParamName[]>> = {
  hold: [], 'sell-on-receipt': [], dca: ['every', 'fraction'], ma: ['short', 'long', 'fraction'], zscore: ['window', 'z', 'fraction'],
};

export const DEFAULT_TREASURY_PARAMS: Readonly<Record<TreasuryPolicy, Readonly<TreasuryParams>>> = {
  hold: {},
  'sell-on-receipt': {},
  dca: { every: 7, fraction: 0.25 },
  ma: { short: 20, long: 100, fraction: 0.25 },
  zscore: { window: 60, z: 1.5, fraction: 0.5 },
};

const ALL_PARAMS = new Set<string>(Object.values(TREASURY_PARAM_NAMES).flat());

/** The shape of economics.treasury_params alone: an object of finite numbers named like parameters. */
export function treasuryParamsShapeProblems(val: unknown): string[] {
  if (typeof val !== 'object' || val === null || Array.isArray(val)) return ['must be a JSON object of numbers, e.g. {"every":7,"fraction":0.25}'];
  const problems: string[] = [];
  for (const [k, v] of Object.entries(val)) {
    if (!ALL_PARAMS.has(k)) problems.push(`unknown parameter "${k}" (parameters: ${[...ALL_PARAMS].join(', ')})`);
    else if (typeof v !== 'number' || !Number.isFinite(v)) problems.push(`${k} must be a number`);
  }
  return problems;
}

/** The policy's parameters: the given ones over its defaults (parameters of other policies dropped). */
export function withDefaults(policy: TreasuryPolicy, given: TreasuryParams): TreasuryParams {
  const out: TreasuryParams = {};
  for (const k of TREASURY_PARAM_NAMES[policy]) out[k] = given[k] ?? DEFAULT_TREASURY_PARAMS[policy][k];
  return out;
}

/** Every problem of a policy's complete parameter set (withDefaults applied), one line each. */
export function treasuryParamProblems(policy: TreasuryPolicy, p: TreasuryParams): string[] {
  const problems: string[] = [];
  const int = (k: TreasuryParamName, min: number) => {
    const v = p[k];
    if (v === undefined || !Number.isInteger(v) || v < min) problems.push(`${policy}: ${k} must be an integer ≥ ${min}, got ${v}`);
  };
  if (p.fraction !== undefined && !(p.fraction > 0 && p.fraction <= 1)) problems.push(`${policy}: fraction must be in (0, 1], got ${p.fraction}`);
  if (policy === 'dca') int('every', 1);
  if (policy === 'ma') {
    int('short', 1);
    int('long', 2);
    if (problems.length === 0 && p.short! >= p.long!) problems.push(`ma: short (${p.short}) must be below long (${p.long})`);
  }
  if (policy === 'zscore') {
    int('window', 2);
    if (!(p.z !== undefined && Number.isFinite(p.z) && p.z > 0)) problems.push(`zscore: z must be a number > 0, got ${p.z}`);
  }
  return problems;
}
