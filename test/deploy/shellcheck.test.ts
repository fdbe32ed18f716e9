// Every shell script in the repository is shellcheck-clean: files
// ending in .sh and files whose first line is a sh/bash shebang, outside
// node_modules and .git.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasTool, run } from './tools.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SKIP = new Set(['node_modules', '.git', '.scratch', '.hashling']);

function scripts(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) { out.push(...scripts(path)); continue; }
    if (name.endsWith('.sh')) { out.push(path); continue; }
    if (st.size > 0 && st.size < 1_000_000) {
      const head = readFileSync(path, 'utf8').slice(0, 64);
      if (/^#!\s*(\/usr\/bin\/env\s+)?(ba|da)?sh\b|^#!\/bin\/(ba)?sh\b/.test(head)) out.push(path);
    }
  }
  return out;
}

test('every shell script passes shellcheck', { skip: hasTool('shellcheck') ? false : 'shellcheck is not installed here (.ci/run installs it)' }, () => {
  const files = scripts(ROOT);
  assert.ok(files.some((f) => f.endsWith('deploy/install.sh')), `install.sh not found among ${files.join(', ')}`);
  const r = run('shellcheck', ['--severity=style', ...files]);
  assert.equal(r.status, 0, r.out);
});
