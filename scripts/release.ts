// `npm run release [-- --out DIR]`: what a device installs, as one versioned
// tarball plus a SHA256SUMS file beside it (deploy/README.md, "Releases").
//
// The tarball is `npm pack` of this package after a fresh build: package.json's
// "files" (bin/, dist/, deploy/, README.md) under package/. dist/ is plain
// JavaScript with its libraries bundled in, so a device needs Node.js and
// nothing else: no node_modules, no npm, no dev dependencies, no build step.
// npm pack writes entries in a fixed order with fixed times, so the same tree
// gives the same bytes (the SHA-256 can be checked by rebuilding).
//
// Checked before the checksum is written: the tarball holds the compiled
// product and the deploy kit and nothing of the sources, tests or
// node_modules; unpacked alone in an empty directory, `hashling --version`
// and `hashling selftest` (every kernel against its known answers) run.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'release' }, help: { type: 'boolean' } }, strict: true });
if (values.help) {
  process.stdout.write('usage: npm run release [-- --out DIR]   (default DIR: release/)\n');
  process.exit(0);
}
const root = resolve(new URL('..', import.meta.url).pathname);
const out = resolve(values.out!);
mkdirSync(out, { recursive: true });

function fail(message: string): never {
  process.stderr.write(`release: ${message}\n`);
  process.exit(1);
}

// 1. A fresh build, then the pack (--ignore-scripts: the build just ran).
const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
if (build.status !== 0) fail('npm run build failed');
const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', out], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })) as { filename: string; files: { path: string }[] }[];
const { filename, files } = packed[0]!;
const tarball = join(out, filename);

// 2. What is in it.
const paths = files.map((f) => f.path);
for (const need of ['package.json', 'bin/hashling.js', 'dist/main.js', 'deploy/install.sh', 'deploy/systemd/hashling-agent.service', 'deploy/mosquitto/install-broker-kit.sh']) {
  if (!paths.includes(need)) fail(`${filename} lacks ${need}`);
}
// (dist/ is whatever the build emits; the sources themselves stay out.)
const stray = paths.filter((p) => /^(node_modules|test|bench|scripts|agent|coordinator|cli|config|protocol|transport)\//.test(p) || (p.endsWith('.ts') && !p.startsWith('dist/')));
if (stray.length > 0) fail(`${filename} holds sources or tests: ${stray.slice(0, 5).join(', ')}`);

// 3. It runs alone: unpacked where no node_modules can be found.
const scratch = mkdtempSync(join(tmpdir(), 'hashling-release-'));
try {
  execFileSync('tar', ['-xzf', tarball, '-C', scratch]);
  const bin = join(scratch, 'package', 'bin', 'hashling.js');
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: scratch };
  const version = spawnSync(process.execPath, [bin, '--version'], { cwd: scratch, env, encoding: 'utf8' });
  const expected = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  if (version.status !== 0 || !version.stdout.includes(expected)) fail(`the unpacked release does not run: ${version.stdout}${version.stderr}`);
  const selftest = spawnSync(process.execPath, [bin, 'selftest'], { cwd: scratch, env, encoding: 'utf8', timeout: 300_000 });
  if (selftest.status !== 0) fail(`the unpacked release fails its self-test:\n${selftest.stdout}${selftest.stderr}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

// 4. SHA256SUMS: one line per tarball in the directory, in sha256sum's format.
const sums = readdirSync(out).filter((f) => /^hashling-.+\.tgz$/.test(f)).sort()
  .map((f) => `${createHash('sha256').update(readFileSync(join(out, f))).digest('hex')}  ${f}\n`).join('');
writeFileSync(join(out, 'SHA256SUMS'), sums);
const check = spawnSync('sha256sum', ['-c', '--quiet', 'SHA256SUMS'], { cwd: out, encoding: 'utf8' });
if (check.error === undefined && check.status !== 0) fail(`sha256sum -c SHA256SUMS: ${check.stdout}${check.stderr}`);

const line = sums.split('\n').find((l) => l.endsWith(`  ${filename}`))!;
process.stdout.write(`${tarball} (${(readFileSync(tarball).length / 1024).toFixed(0)} KiB, ${files.length} files)\n${join(out, 'SHA256SUMS')}: ${line}\n`);
