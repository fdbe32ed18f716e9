// Rewrites the README's config table from the schema (`npm run docs:config`).
import { readFileSync, writeFileSync } from 'node:fs';
import { schemaMarkdown } from './config.ts';

const START = '<!-- config-table:start -->';
const END = '<!-- config-table:end -->';

export function withConfigTable(readme: string): string {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error('README.md has no config-table markers');
  return `${readme.slice(0, a + START.length)}\n${schemaMarkdown()}\n${readme.slice(b)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = new URL('../README.md', import.meta.url);
  writeFileSync(path, withConfigTable(readFileSync(path, 'utf8')));
}
