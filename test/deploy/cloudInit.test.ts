// deploy/cloud-init/user-data: valid cloud-config; its header names every
// placeholder; render.sh fills them all; and its first-boot script (run here
// with its paths pointed into a scratch directory) stops before installing
// anything while a placeholder is left or the tarball's SHA-256 is not the
// pinned one. The install from a good release tarball is in release.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstBoot, rendered } from './firstBoot.ts';
import { hasTool, run } from './tools.ts';

const USER_DATA = fileURLToPath(new URL('../../deploy/cloud-init/user-data', import.meta.url));
const RENDER = fileURLToPath(new URL('../../deploy/cloud-init/render.sh', import.meta.url));
const template = readFileSync(USER_DATA, 'utf8');
const noCloudInit = hasTool('cloud-init') ? false : 'cloud-init is not installed here (.ci/run installs it)';
const NUMBERS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];

test('the user-data passes cloud-init schema', { skip: noCloudInit }, () => {
  const r = run('cloud-init', ['schema', '--config-file', USER_DATA]);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /Valid cloud-config/);
});

test('the header names every placeholder and counts them right', () => {
  const used = [...new Set([...template.matchAll(/REPLACE_ME_([A-Z0-9_]+)/g)].map((m) => m[1]))].sort();
  const header = template.slice(0, template.indexOf('hostname:'));
  const listed = [...header.matchAll(/^# {3}([A-Z0-9_]+) {2,}\S/gm)].map((m) => m[1]).sort();
  assert.deepEqual(listed, used);
  const count = /^# (\w+) values to fill per device/m.exec(header)?.[1].toLowerCase();
  assert.equal(count, NUMBERS[used.length], `the header says "${count}", the file has ${used.length}`);
});

test('first boot with a placeholder left stops before downloading or installing anything, naming what is left', { skip: noCloudInit }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'hashling-ci-'));
  try {
    const r = firstBoot(USER_DATA, dir, { HASHLING_INSTALL_ROOT: join(dir, 'root') });
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /first boot stopped, nothing installed/);
    for (const name of ['DEVICE_ID', 'BROKER_CA_PEM', 'RELEASE_URL', 'RELEASE_SHA256']) assert.match(r.out, new RegExp(`REPLACE_ME_${name}\\b`));
    assert.deepEqual(readdirSync(dir).sort(), ['first-boot.sh']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('render.sh fills every placeholder (the CA as an indented PEM block) and the result is valid', { skip: noCloudInit }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'hashling-ci-'));
  try {
    const file = rendered(dir, 'https://releases.example.net/hashling-0.1.0.tgz', 'a'.repeat(64));
    const text = readFileSync(file, 'utf8');
    assert.doesNotMatch(text, /REPLACE_ME_[A-Z]/);
    assert.equal(run('cloud-init', ['schema', '--config-file', file]).status, 0);
    const data = JSON.parse(execFileSync('python3', ['-c', 'import sys, yaml, json; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))', file], { encoding: 'utf8' }));
    const files = Object.fromEntries(data.write_files.map((f: { path: string; content: string }) => [f.path, f.content]));
    assert.equal(files['/etc/hashling/ca.crt'], readFileSync(join(dir, 'ca', 'ca.crt'), 'utf8'));
    assert.equal(files['/etc/hashling/broker.password'], 'pw with | & \\ and "quotes"\n');
    const agent = JSON.parse(files['/etc/hashling/agent.json']);
    assert.deepEqual([agent.device.id, agent.device.groups, agent.broker.url, agent.work.coordinator_public_key],
      ['pi-001', ['shelf-a'], 'mqtts://broker.example.net:8883', 'jn9FJch4WnsDhqTt/TsXKLTq6azqgwqTf3tPZZMa6jk=']);
    assert.equal(data.hostname, 'pi-001');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('render.sh refuses bad values with exit 64, naming the option', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hashling-ci-'));
  try {
    writeFileSync(join(dir, 'pw'), 'x\n');
    const base = ['--id', 'pi-001', '--group', 'g', '--broker', 'b.example.net', '--password-file', join(dir, 'pw'), '--ca', join(dir, 'none.crt'),
      '--coordinator-key', 'jn9FJch4WnsDhqTt/TsXKLTq6azqgwqTf3tPZZMa6jk=', '--release-url', 'https://x/y.tgz', '--release-sha256', 'a'.repeat(64)];
    const r = run('sh', [RENDER, ...base]);
    assert.equal(r.status, 64);
    assert.match(r.out, /--ca: no PEM certificate/);
    const r2 = run('sh', [RENDER, ...base.map((v) => (v === 'pi-001' ? 'pi 001' : v))]);
    assert.equal(r2.status, 64);
    assert.match(r2.out, /--id:/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('first boot refuses a tarball whose SHA-256 is not the pinned one, and installs nothing', { skip: noCloudInit }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'hashling-ci-'));
  try {
    const tarball = join(dir, 'hashling-0.1.0.tgz');
    writeFileSync(tarball, 'not the release');
    const file = rendered(dir, `file://${tarball}`, 'b'.repeat(64));
    const r = firstBoot(file, dir, { HASHLING_INSTALL_ROOT: join(dir, 'root') });
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /not the pinned b{64}; refusing to install it/);
    assert.deepEqual(readdirSync(join(dir, 'cache')), ['release.tgz']);
    assert.throws(() => readdirSync(join(dir, 'root')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
