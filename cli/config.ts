// `hashling config print|schema`: the effective config (secrets redacted) or the
// schema every key comes from (doc, format, default, env, CLI flag).
import { loadConfig, redactConfig } from '../config/load.ts';
import { allKeys, envName } from '../config/schema.ts';
import { runCommand, runGroup, type CommandSpec } from './args.ts';

export function schemaRows(): { key: string; env: string; flag: string; default: unknown; doc: string; restart: boolean; remote: boolean }[] {
  return allKeys().map(([section, key, spec]) => ({
    key: `${section}.${key}`,
    env: envName(section, key),
    flag: spec.arg ? `--${spec.arg}` : '',
    default: spec.sensitive ? '' : (spec.defaultDoc ?? spec.default),
    doc: spec.doc,
    restart: spec.restart === true,
    remote: spec.remote === true,
  }));
}

/** The README's config table, generated from the schema. */
export function schemaMarkdown(): string {
  const lines = ['| key | env | flag | default | remote | description |', '|---|---|---|---|---|---|'];
  for (const r of schemaRows()) {
    const def = typeof r.default === 'string' && allKeys().some(([s, k, spec]) => `${s}.${k}` === r.key && spec.defaultDoc) ? r.default : JSON.stringify(r.default);
    lines.push(`| \`${r.key}\` | \`${r.env}\` | ${r.flag ? `\`${r.flag}\`` : ''} | \`${def}\` | ${r.remote ? 'yes' : ''} | ${r.doc.replace(/\|/g, '\\|')} |`);
  }
  return lines.join('\n');
}

export const configPrintSpec: CommandSpec = {
  name: 'config print',
  summary: 'Print the effective config (defaults, file, env and flags applied; secrets redacted) as JSON. Invalid config lists every problem and exits 78.',
  config: true,
};

export const configSchemaSpec: CommandSpec = {
  name: 'config schema',
  summary: 'Print every config key: doc, default, env var, flag, whether it needs a restart and whether config/set may change it over MQTT.',
  options: { markdown: { type: 'boolean', help: 'a Markdown table (the README\'s) instead of JSON' } },
};

export function configCommand(argv: string[]): Promise<number> {
  return runGroup('config', 'The configuration: what is in force, and every key there is.', {
    print: {
      summary: configPrintSpec.summary.split('. ')[0],
      run: (rest) => runCommand(configPrintSpec, rest, async (p) => {
        process.stdout.write(`${JSON.stringify(redactConfig(loadConfig(p.load)), null, 2)}\n`);
        return 0;
      }),
    },
    schema: {
      summary: configSchemaSpec.summary.split(': ')[0],
      run: (rest) => runCommand(configSchemaSpec, rest, async (p) => {
        process.stdout.write(p.values.markdown ? `${schemaMarkdown()}\n` : `${JSON.stringify(schemaRows(), null, 2)}\n`);
        return 0;
      }),
    },
  }, argv);
}
