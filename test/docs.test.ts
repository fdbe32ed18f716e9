import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { withConfigTable } from '../cli/docsConfig.ts';

test('the README config table is the one generated from the schema', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  assert.equal(readme, withConfigTable(readme), 'run `npm run docs:config`');
});
