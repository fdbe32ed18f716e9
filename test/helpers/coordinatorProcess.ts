// Runs `hashling coordinator --source demo` as a real child process, so fault
// tests can SIGKILL it and start another one.
import { spawn } from 'node:child_process';
import { BIN, type AgentProcess } from './agentProcess.ts';

export function spawnCoordinator(brokerUrl: string, env: Record<string, string> = {}): AgentProcess {
  const proc = spawn(process.execPath, [BIN, 'coordinator', '--broker', brokerUrl, '--source', 'demo'], {
    env: {
      ...process.env,
      HASHLING_COORDINATOR_STATS_INTERVAL_S: '1',
      HASHLING_COORDINATOR_DEMO_JOB_INTERVAL_S: '3600',
      HASHLING_BROKER_RECONNECT_MIN_MS: '300',
      HASHLING_BROKER_RECONNECT_MAX_MS: '1000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise<number | string>((resolve) => proc.once('exit', (code, sig) => resolve(code ?? sig ?? -1)));
  return { proc, output: () => out, exited };
}
