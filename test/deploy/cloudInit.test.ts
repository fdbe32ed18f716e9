// deploy/cloud-init/user-data must be valid cloud-config (cloud-init's own schema).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { hasTool, run } from './tools.ts';

const USER_DATA = fileURLToPath(new URL('../../deploy/cloud-init/user-data', import.meta.url));

test('the user-data passes cloud-init schema', { skip: hasTool('cloud-init') ? false : 'cloud-init is not installed here (.ci/run installs it)' }, () => {
  const r = run('cloud-init', ['schema', '--config-file', USER_DATA]);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /Valid cloud-config/);
});
