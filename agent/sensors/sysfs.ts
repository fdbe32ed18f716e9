// Small sysfs helpers. Everything is relative to sensors.sysfs_root so tests and
// containers point the readers at another tree (telegraf's HOST_SYS idea).
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** A sysfs attribute as trimmed text (sysfs values end with "\n"). Throws like readFile. */
export async function readAttr(path: string): Promise<string> {
  return (await readFile(path, 'utf8')).replace(/\0/g, '').trim();
}

/** The attribute, or null when it does not exist or cannot be read. */
export async function readAttrOrNull(path: string): Promise<string | null> {
  try {
    return await readAttr(path);
  } catch {
    return null;
  }
}

/** Entries of a directory sorted naturally (thermal_zone2 before thermal_zone10); [] if absent. */
export async function listDir(path: string): Promise<string[]> {
  try {
    const names = await readdir(path);
    return names.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  } catch {
    return [];
  }
}

/** Parses an integer attribute strictly: "48312" yes, "48.3", "", "abc" no. */
export function parseIntStrict(text: string): number | null {
  return /^-?\d+$/.test(text) ? Number(text) : null;
}

export { join };
