// The cloud-init user-data's first-boot script, run outside cloud-init: its
// paths (HASHLING_USER_DATA, HASHLING_CACHE, and install.sh's
// HASHLING_INSTALL_ROOT) pointed into a scratch directory.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './tools.ts';

const RENDER = fileURLToPath(new URL('../../deploy/cloud-init/render.sh', import.meta.url));
const ADD_DEVICE = fileURLToPath(new URL('../../deploy/mosquitto/add-device.sh', import.meta.url));

/** The first-boot shell script of runcmd, as cloud-init will run it (YAML parsed by cloud-init's own PyYAML). */
export function firstBootScript(userData: string): string {
  return execFileSync('python3', ['-c', 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["runcmd"][0][2])', userData], { encoding: 'utf8' });
}

/** Runs the first-boot script with its inputs in dir; returns its status and output. */
export function firstBoot(userData: string, dir: string, env: Record<string, string> = {}): { status: number | null; out: string } {
  const script = join(dir, 'first-boot.sh');
  writeFileSync(script, firstBootScript(userData));
  return run('sh', [script], { HASHLING_USER_DATA: userData, HASHLING_CACHE: join(dir, 'cache'), ...env });
}

/** A filled user-data for pi-001 (secrets made on the spot) pointing at url/sha256. */
export function rendered(dir: string, url: string, sha256: string): string {
  execFileSync('sh', [ADD_DEVICE, 'init-ca', '--ca-dir', join(dir, 'ca')], { stdio: 'ignore' });
  writeFileSync(join(dir, 'pi-001.password'), 'pw with | & \\ and "quotes"\n');
  writeFileSync(join(dir, 'coordinator.pub'), 'jn9FJch4WnsDhqTt/TsXKLTq6azqgwqTf3tPZZMa6jk=\n');
  const out = execFileSync('sh', [RENDER, '--id', 'pi-001', '--group', 'shelf-a', '--broker', 'broker.example.net',
    '--password-file', join(dir, 'pi-001.password'), '--ca', join(dir, 'ca', 'ca.crt'), '--coordinator-key', join(dir, 'coordinator.pub'),
    '--release-url', url, '--release-sha256', sha256], { encoding: 'utf8' });
  const file = join(dir, 'pi-001.user-data');
  writeFileSync(file, out);
  return file;
}
