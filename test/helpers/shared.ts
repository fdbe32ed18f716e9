// Third-party data (the recorded Stratum session, licensed price histories) lives
// in ../shared beside the repository and is never copied into it. A test that
// needs such a file takes needsShared(name) among its node:test options and
// reads the file inside its body with readShared(name), never at import: in a
// clone alone that test skips with one line naming the file while the rest of
// its file runs; with ../shared present it always runs, so a missing file there
// fails instead of hiding behind a skip. test/run.ts still skips a whole test
// file that reads ../shared at import (a `new URL('../shared/…')` literal).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** ../shared, beside the repository root. */
export const SHARED_DIR = fileURLToPath(new URL('../../../shared', import.meta.url));

/** node:test options for a test that needs ../shared/<name>, e.g. 'vectors/stratum-v1.json'. */
export function needsShared(name: string): { skip: string | false } {
  return existsSync(SHARED_DIR) ? { skip: false } : { skip: `needs ../shared/${name} (third-party data kept outside the repository; ../shared is absent)` };
}

/** The text of ../shared/<name>; throws (naming the file) when it is missing. */
export function readShared(name: string): string {
  const path = join(SHARED_DIR, name);
  if (!existsSync(path)) throw new Error(`${path} is missing: ../shared is present, so its files are required`);
  return readFileSync(path, 'utf8');
}
