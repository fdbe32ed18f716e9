// `hashling config print|schema`: the effective config (secrets redacted) or the
// schema every key comes from (doc, format, default, env, CLI flag).
import { loadConfig, redactConfig } from '../config/load.ts';
import { SECTIONS, envName } from '../config/schema.ts';
import { EXIT_CONFIG } from './log.ts';

export function schemaRows(): { key: string; env: string; flag: string; default: unknown; doc: string; restart: boolean }[] {
  return Object.entries(SECTIONS).flatMap(([section, keys]) =>
    Object.entries(keys).map(([key, spec]) => ({
      key: `${section}.${key}`,
      env: spec.env ?? envName(section, key),
      flag: spec.arg ? `--${spec.arg}` : '',
      default: spec.sensitive ? '' : spec.default,
      doc: spec.doc,
      restart: spec.restart === true,
    })),
  );
}

/** The README's config table, generated from the schema. */
export function schemaMarkdown(): string {
  const lines = ['| key | env | flag | default | description |', '|---|---|---|---|---|'];
  for (const r of schemaRows()) {
    const def = r.key === 'device.id' ? 'hostname' : r.key === 'hashing.threads' ? 'all cores' : JSON.stringify(r.default);
    lines.push(`| \`${r.key}\` | \`${r.env}\` | ${r.flag ? `\`${r.flag}\`` : ''} | \`${def}\` | ${r.doc.replace(/\|/g, '\\|')} |`);
  }
  return lines.join('\n');
}

export async function configCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'schema') {
    if (rest.includes('--markdown')) process.stdout.write(`${schemaMarkdown()}\n`);
    else process.stdout.write(`${JSON.stringify(schemaRows(), null, 2)}\n`);
    return 0;
  }
  if (sub === 'print') {
    try {
      process.stdout.write(`${JSON.stringify(redactConfig(loadConfig({ argv: rest })), null, 2)}\n`);
      return 0;
    } catch (err) {
      process.stderr.write(`hashling: E_CONFIG ${(err as Error).message}\n`);
      return EXIT_CONFIG;
    }
  }
  process.stderr.write('usage: hashling config print [--config FILE] [flags] | hashling config schema [--markdown]\n');
  return 64;
}
