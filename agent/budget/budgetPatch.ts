// Validation of a budget update (the `budget/set` command, issue 6): every key is
// checked against the same schema as the config file, then the combination is
// checked, and every problem is reported at once. Nothing is applied on error.
import { budget as budgetSpec, type BudgetConfig } from '../../config/budget.ts';

function checkValue(key: string, val: unknown): string | null {
  const spec = budgetSpec[key];
  const f = spec.format;
  try {
    if (typeof f === 'function' && f !== Boolean) (f as (v: unknown) => void)(val);
    else if (f === Boolean) { if (typeof val !== 'boolean') return 'must be true or false'; }
    else if (Array.isArray(f)) { if (!f.includes(val)) return `must be one of ${f.join(', ')}`; }
    else if (f === 'positive-int') { if (!Number.isInteger(val) || (val as number) < 1) return 'must be an integer ≥ 1'; }
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Problems of the combined settings that no single key shows. */
export function budgetConsistencyProblems(b: BudgetConfig): string[] {
  const p: string[] = [];
  if (b.temp_cutoff_c <= b.temp_target_c) p.push(`budget.temp_cutoff_c (${b.temp_cutoff_c}) must be above budget.temp_target_c (${b.temp_target_c})`);
  return p;
}

/** The merged budget, or every problem of the patch. */
export function applyBudgetPatch(current: BudgetConfig, patch: unknown): { ok: true; budget: BudgetConfig; changed: string[] } | { ok: false; problems: string[] } {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return { ok: false, problems: ['budget update must be an object of budget keys'] };
  const problems: string[] = [];
  const next = { ...current } as Record<string, unknown>;
  const changed: string[] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (!(k in budgetSpec)) { problems.push(`budget.${k}: unknown key`); continue; }
    const err = checkValue(k, v);
    if (err) problems.push(`budget.${k}: ${err}`);
    else { next[k] = v; changed.push(k); }
  }
  if (problems.length === 0) problems.push(...budgetConsistencyProblems(next as unknown as BudgetConfig));
  return problems.length > 0 ? { ok: false, problems } : { ok: true, budget: next as unknown as BudgetConfig, changed };
}
