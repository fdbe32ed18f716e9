// Fixture helpers: copy a committed fake sysfs tree to a scratch dir so a test can
// break and repair it without touching the fixtures.
import { cpSync, mkdtempSync, rmSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FIXTURES = join(import.meta.dirname, '../../fixtures/sysfs');

export function scratchTree(name: string): { root: string; write(rel: string, text: string): void; remove(rel: string): void; cleanup(): void } {
  const root = mkdtempSync(join(tmpdir(), `hashling-sysfs-${name}-`));
  cpSync(join(FIXTURES, name), root, { recursive: true });
  return {
    root,
    write: (rel, text) => writeFileSync(join(root, rel), `${text}\n`),
    remove: (rel) => unlinkSync(join(root, rel)),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}
