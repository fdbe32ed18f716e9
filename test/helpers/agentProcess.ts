// Runs `hashling <command>` as a real child process, the way a device or a pool
// host runs it; tests can SIGKILL it and start another.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/hashling.js', import.meta.url));

export interface AgentProcess {
  proc: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
}

/** Spawns the bin with `args` and the test env on top of this process's env. */
export function spawnHashling(args: string[], env: Record<string, string> = {}): AgentProcess {
  const proc = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise<number | string>((resolve) => proc.once('exit', (code, sig) => resolve(code ?? sig ?? -1)));
  return { proc, output: () => out, exited };
}

export function spawnAgent(args: string[], env: Record<string, string> = {}): AgentProcess {
  return spawnHashling(['agent', ...args], { HASHLING_TELEMETRY_INTERVAL_S: '1', ...env });
}
