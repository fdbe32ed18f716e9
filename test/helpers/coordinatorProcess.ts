// Runs `hashling coordinator --source demo` as a real child process, so fault
// tests can SIGKILL it and start another one.
import { spawnHashling, type AgentProcess } from './agentProcess.ts';

export function spawnCoordinator(brokerUrl: string, env: Record<string, string> = {}): AgentProcess {
  return spawnHashling(['coordinator', '--broker', brokerUrl, '--source', 'demo'], {
    HASHLING_COORDINATOR_STATS_INTERVAL_S: '1',
    HASHLING_COORDINATOR_DEMO_JOB_INTERVAL_S: '3600',
    HASHLING_BROKER_RECONNECT_MIN_MS: '300',
    HASHLING_BROKER_RECONNECT_MAX_MS: '1000',
    ...env,
  });
}
