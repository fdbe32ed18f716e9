// `npm run release` (scripts/release.ts) and installing what it makes:
// deploy/install.sh --release into a scratch root (HASHLING_INSTALL_ROOT: no
// user, no systemctl), from a local file checked against the SHA256SUMS beside
// it and from a URL with --sha256; a tampered tarball and a wrong checksum are
// refused before anything is installed; cloud-init's first-boot script
// installs the same tarball by URL (firstBoot.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstBoot, rendered } from './firstBoot.ts';
import { hasTool, run } from './tools.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const INSTALL = join(REPO, 'deploy/install.sh');
const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const name = `hashling-${version}.tgz`;

describe('release tarball and its install', { timeout: 600_000 }, () => {
  let dir: string;
  let sha256: string;
  const install = (root: string, ...args: string[]) => run('bash', [INSTALL, ...args], { HASHLING_INSTALL_ROOT: root });

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'hashling-release-'));
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'scripts/release.ts'), '--out', join(dir, 'release')], { cwd: REPO, encoding: 'utf8', timeout: 540_000 });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('npm run release writes the versioned tarball and SHA256SUMS in sha256sum format', () => {
    assert.deepEqual(readdirSync(join(dir, 'release')).sort(), ['SHA256SUMS', name]);
    const sums = readFileSync(join(dir, 'release', 'SHA256SUMS'), 'utf8');
    const m = new RegExp(`^([0-9a-f]{64})  ${name.replace(/\./g, '\\.')}\\n$`).exec(sums);
    assert.ok(m, sums);
    sha256 = m[1]!;
    const check = run('sh', ['-c', `cd '${join(dir, 'release')}' && sha256sum -c SHA256SUMS`]);
    assert.equal(check.status, 0, check.out);
    const list = run('tar', ['-tzf', join(dir, 'release', name)]).out.split('\n').filter(Boolean);
    for (const p of ['package/dist/main.js', 'package/bin/hashling.js', 'package/deploy/install.sh', 'package/package.json']) assert.ok(list.includes(p), p);
    assert.ok(!list.some((p) => p.includes('node_modules/') || p.startsWith('package/test/') || (/\.ts$/.test(p) && !p.startsWith('package/dist/'))), 'no node_modules, tests or sources');
  });

  test('install.sh installs a good tarball (checked against the SHA256SUMS beside it); hashling runs from the install and is on PATH', () => {
    const root = join(dir, 'root-good');
    const r = install(root, '--release', join(dir, 'release', name), '--no-start');
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, new RegExp(`verified ${name.replace(/\./g, '\\.')} \\(SHA-256 ${sha256}\\)`));
    assert.ok(existsSync(join(root, 'opt/hashling/dist/main.js')));
    assert.equal(readlinkSync(join(root, 'usr/local/bin/hashling')), '/opt/hashling/bin/hashling.js');
    const v = spawnSync(process.execPath, [join(root, 'opt/hashling/bin/hashling.js'), '--version'], { cwd: root, encoding: 'utf8' });
    assert.equal(v.status, 0, v.stderr);
    assert.match(v.stdout, new RegExp(version.replace(/\./g, '\\.')));
    const again = install(root, '--release', join(dir, 'release', name), '--no-start');
    assert.match(again.out, /already installed/);
  });

  test('a tampered tarball is refused, and nothing is installed', () => {
    const bad = join(dir, 'tampered');
    mkdirSync(bad);
    copyFileSync(join(dir, 'release', 'SHA256SUMS'), join(bad, 'SHA256SUMS'));
    const bytes = readFileSync(join(dir, 'release', name));
    bytes[bytes.length >> 1] ^= 0x01;
    writeFileSync(join(bad, name), bytes);
    const root = join(dir, 'root-bad');
    const r = install(root, '--release', join(bad, name));
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, new RegExp(`not ${sha256}: refusing to install it`));
    assert.ok(!existsSync(join(root, 'opt')), 'nothing installed');
  });

  test('by URL: --sha256 is required, a wrong one is refused, the right one installs', () => {
    const url = `file://${join(dir, 'release', name)}`;
    const root = join(dir, 'root-url');
    const none = install(root, '--release', url);
    assert.equal(none.status, 1);
    assert.match(none.out, /needs --sha256/);
    const wrong = install(root, '--release', url, '--sha256', 'f'.repeat(64));
    assert.equal(wrong.status, 1);
    assert.match(wrong.out, /refusing to install it/);
    assert.ok(!existsSync(join(root, 'opt')));
    const good = install(root, '--release', url, '--sha256', sha256, '--no-start');
    assert.equal(good.status, 0, good.out);
    assert.ok(existsSync(join(root, 'opt/hashling/dist/main.js')));
  });

  test('cloud-init\'s first boot installs the tarball pinned by URL and SHA-256', { skip: hasTool('cloud-init') ? false : 'cloud-init is not installed here (.ci/run installs it)' }, () => {
    const work = join(dir, 'first-boot');
    mkdirSync(work);
    const root = join(dir, 'root-cloud-init');
    const r = firstBoot(rendered(work, `file://${join(dir, 'release', name)}`, sha256), work, { HASHLING_INSTALL_ROOT: root });
    assert.equal(r.status, 0, r.out);
    assert.ok(existsSync(join(root, 'opt/hashling/dist/main.js')));
    assert.ok(existsSync(join(root, 'etc/systemd/system/hashling-agent.service')));
  });
});
