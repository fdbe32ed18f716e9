// The CLI flags the schema declares (`arg` on a key) as node:util parseArgs
// options, so every command that loads config accepts exactly these (plus its
// own) and rejects anything else.
import { allKeys } from './schema.ts';

export interface FlagOption {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
}

/** `--config FILE` plus every schema flag, each taking a value. */
export function configFlagOptions(): Record<string, FlagOption> {
  const out: Record<string, FlagOption> = { config: { type: 'string' } };
  for (const [, , spec] of allKeys()) if (spec.arg) out[spec.arg] = { type: 'string' };
  return out;
}

/** Schema flag name → "section.key". */
export function flagKeys(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [s, k, spec] of allKeys()) if (spec.arg) out.set(spec.arg, `${s}.${k}`);
  return out;
}

/** Levenshtein distance, for "did you mean" hints on flags and env vars. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/** The closest candidate when it is plausibly a typo of `word`, else null. */
export function closest(word: string, candidates: Iterable<string>): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestD) { best = c; bestD = d; }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : null;
}
