// Persisting config/set to the JSON config file without ever leaving it half
// written: the new text goes to a temp file in the same directory (same file
// system, so rename(2) is atomic), is fsynced, then renamed over the old one.
// A failure at any step (ENOSPC, EACCES, EROFS) leaves the old file as it was.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { HashlingError } from '../../protocol/errors.ts';
import type { ConfigPatch } from '../../config/patch.ts';
import { isRecord } from '../../protocol/json.ts';

/** Sets dotted keys in a deep copy of a nested object (plain own keys only). */
export function withPatch(obj: Record<string, unknown>, patch: ConfigPatch): Record<string, unknown> {
  const out = structuredClone(obj) as Record<string, Record<string, unknown>>;
  for (const [path, v] of Object.entries(patch)) {
    const [s, k] = path.split('.', 2);
    out[s] = { ...(isRecord(out[s]) ? out[s] : {}), [k]: v };
  }
  return out;
}

/** The file-system calls used, so a test can make one fail (a full disk). */
export interface FileOps {
  readFile(path: string): string;
  exists(path: string): boolean;
  writeFileSynced(path: string, text: string): void;
  rename(from: string, to: string): void;
  remove(path: string): void;
}

export const realFileOps: FileOps = {
  readFile: (p) => readFileSync(p, 'utf8'),
  exists: (p) => existsSync(p),
  writeFileSynced(path, text) {
    const fd = openSync(path, 'wx', 0o600);
    try {
      const buf = Buffer.from(text);
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  },
  rename: (a, b) => renameSync(a, b),
  remove: (p) => rmSync(p, { force: true }),
};

/**
 * Writes the patch into the config file (only the patched keys change; values
 * that came from env or flags are not copied into it). Returns the file's
 * previous text (null when it did not exist), so a change that then fails to
 * apply can be rolled back. Throws E_CONFIG with the cause; the file is then unchanged.
 */
export function persistConfigPatch(path: string, patch: ConfigPatch, ops: FileOps = realFileOps): string | null {
  let previous: string | null = null;
  let current: Record<string, unknown> = {};
  try {
    if (ops.exists(path)) {
      previous = ops.readFile(path);
      const parsed = JSON.parse(previous) as unknown;
      if (!isRecord(parsed)) throw new Error('not a JSON object');
      current = parsed;
    }
  } catch (err) {
    throw new HashlingError('E_CONFIG', `cannot read ${path}: ${(err as Error).message}; nothing changed`);
  }
  writeAtomically(path, `${JSON.stringify(withPatch(current, patch), null, 2)}\n`, ops);
  return previous;
}

/** Puts back what persistConfigPatch returned (a change that could not be applied). */
export function restoreConfigFile(path: string, previous: string | null, ops: FileOps = realFileOps): void {
  if (previous === null) ops.remove(path);
  else writeAtomically(path, previous, ops);
}

function writeAtomically(path: string, text: string, ops: FileOps): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    ops.writeFileSynced(tmp, text);
    ops.rename(tmp, path);
  } catch (err) {
    try { ops.remove(tmp); } catch { /* the temp file may not exist */ }
    const code = (err as NodeJS.ErrnoException).code;
    throw new HashlingError('E_CONFIG', `cannot write ${path}: ${code ?? (err as Error).message}; nothing changed`);
  }
}
