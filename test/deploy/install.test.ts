// deploy/install.sh into a scratch root (HASHLING_INSTALL_ROOT: no user, no
// systemctl, no npm): it installs code, unit and config, a second run changes
// nothing, an existing config is kept, and --uninstall removes code and unit
// but keeps config and state unless --purge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './tools.ts';
import { chmodSync, mkdirSync } from 'node:fs';

const SCRIPT = fileURLToPath(new URL('../../deploy/install.sh', import.meta.url));

test('install.sh is idempotent, keeps an operator config, and uninstalls', () => {
  const root = mkdtempSync(join(tmpdir(), 'hashling-install-'));
  const conf = join(root, 'agent.json');
  writeFileSync(conf, '{"device":{"id":"pi-01"}}\n');
  const env = { HASHLING_INSTALL_ROOT: root };
  try {
    const first = run('bash', [SCRIPT, '--skip-deps', '--config', conf], env);
    assert.equal(first.status, 0, first.out);
    assert.ok(existsSync(join(root, 'opt/hashling/bin/hashling.js')));
    assert.ok(existsSync(join(root, 'opt/hashling/dist/main.js')), 'the compiled product is installed');
    assert.ok(!existsSync(join(root, 'opt/hashling/node_modules')), 'no node_modules: dist/ carries its libraries');
    assert.ok(!existsSync(join(root, 'opt/hashling/agent')), 'no TypeScript sources');
    assert.ok(existsSync(join(root, 'etc/systemd/system/hashling-agent.service')));
    assert.equal(readFileSync(join(root, 'etc/hashling/agent.json'), 'utf8'), '{"device":{"id":"pi-01"}}\n');
    assert.match(first.out, /enabled and restarted/);

    const second = run('bash', [SCRIPT, '--skip-deps', '--config', conf], env);
    assert.equal(second.status, 0, second.out);
    assert.match(second.out, /already installed/);
    assert.match(second.out, /nothing changed/);

    writeFileSync(conf, '{"device":{"id":"other"}}\n');
    const third = run('bash', [SCRIPT, '--skip-deps', '--config', conf], env);
    assert.match(third.out, /kept existing/);
    assert.equal(readFileSync(join(root, 'etc/hashling/agent.json'), 'utf8'), '{"device":{"id":"pi-01"}}\n');

    const un = run('bash', [SCRIPT, '--uninstall'], env);
    assert.equal(un.status, 0, un.out);
    assert.ok(!existsSync(join(root, 'opt/hashling')));
    assert.ok(!existsSync(join(root, 'etc/systemd/system/hashling-agent.service')));
    assert.ok(existsSync(join(root, 'etc/hashling/agent.json')), 'config kept without --purge');
    assert.equal(run('bash', [SCRIPT, '--uninstall', '--purge'], env).status, 0);
    assert.ok(!existsSync(join(root, 'etc/hashling')));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('install.sh refuses a Node.js older than 18.19 and names the version it found', () => {
  const root = mkdtempSync(join(tmpdir(), 'hashling-install-'));
  try {
    // A stand-in `node` first on PATH that reports the given version.
    const bin = join(root, 'fakebin');
    mkdirSync(bin);
    const fake = (v: string) => {
      writeFileSync(join(bin, 'node'), `#!/bin/sh\necho ${v}\n`);
      chmodSync(join(bin, 'node'), 0o755);
    };
    const env = { HASHLING_INSTALL_ROOT: join(root, 'r'), PATH: `${bin}:${process.env.PATH}` };
    fake('18.18.2');
    const old = run('bash', [SCRIPT, '--no-start'], env);
    assert.notEqual(old.status, 0);
    assert.match(old.out, /Node\.js 18\.18\.2 is too old: hashling needs >= 18\.19/);
    fake('16.20.2');
    assert.match(run('bash', [SCRIPT, '--no-start'], env).out, /Node\.js 16\.20\.2 is too old/);
    fake('18.19.0');
    const ok = run('bash', [SCRIPT, '--no-start'], env);
    assert.equal(ok.status, 0, ok.out);
    assert.ok(existsSync(join(root, 'r/opt/hashling/dist/main.js')));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
