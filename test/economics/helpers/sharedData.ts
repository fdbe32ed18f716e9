// The licensed history files live in ../shared/data beside the repository and
// are never copied into it. Tests that need one call sharedHistory(); when the
// file is absent it prints one line naming it and the test skips.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export function sharedDir(): string {
  return fileURLToPath(new URL('../../../../shared', import.meta.url));
}

/** Path of ../shared/data/<name>, or null (after one line on stderr) when missing. */
export function sharedHistory(name: 'btc-daily.csv' | 'ltc-daily.csv' | 'doge-daily.csv'): string | null {
  const path = join(sharedDir(), 'data', name);
  if (existsSync(path)) return path;
  process.stderr.write(`skipping: ${path} is missing (licensed data, kept outside the repository)\n`);
  return null;
}
