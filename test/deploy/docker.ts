// A Docker engine for the image test: the one running here, or one this process
// starts (`dockerd --storage-driver vfs --iptables=false --bridge=none`, the mode
// a container without its own network stack allows) and stops again.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Debian's docker.io CLI, which matches its engine and drives its built-in BuildKit; else whatever `docker` is. */
export const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';

export function docker(args: string[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}): { ok: boolean; out: string; stdout: string } {
  const r = spawnSync(DOCKER, args, { encoding: 'utf8', timeout: opts.timeoutMs ?? 120_000, env: { ...process.env, DOCKER_BUILDKIT: '1', ...opts.env }, maxBuffer: 64 * 1024 * 1024 });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, stdout: r.stdout ?? '' };
}

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

export interface Engine {
  /** Stops the engine if this process started it. */
  release(): Promise<void>;
}

/** A running engine, or the one line that says why there is none. */
export async function dockerEngine(): Promise<Engine | { skip: string }> {
  if (!has(DOCKER) || !has('dockerd')) return { skip: 'docker/dockerd are not installed here (.ci/run installs docker.io)' };
  if (docker(['info'], { timeoutMs: 15_000 }).ok) return { release: async () => {} };
  if (process.getuid?.() !== 0) return { skip: 'no Docker engine is running and only root can start one' };
  const logDir = join(process.env.HASHLING_CACHE_DIR ?? join(homedir(), '.cache', 'hashling'));
  mkdirSync(logDir, { recursive: true });
  const log = openSync(join(logDir, 'dockerd.log'), 'a');
  const proc: ChildProcess = spawn('dockerd', ['--storage-driver', 'vfs', '--iptables=false', '--bridge=none'], { stdio: ['ignore', log, log], detached: false });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) return { skip: `dockerd cannot start here (exit ${proc.exitCode}; see ${join(logDir, 'dockerd.log')})` };
    if (docker(['info'], { timeoutMs: 5000 }).ok) {
      return {
        release: () => new Promise<void>((resolve) => {
          if (proc.exitCode !== null) return resolve();
          proc.once('exit', () => resolve());
          proc.kill('SIGTERM');
        }),
      };
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  proc.kill('SIGKILL');
  return { skip: `dockerd did not answer within 30 s (see ${join(logDir, 'dockerd.log')})` };
}
