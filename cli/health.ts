// `hashling health [--role agent|coordinator]` (default: whichever of the two
// has a status file, agent first, so one image HEALTHCHECK fits both): exit 0 when
// the local process's status file (health.state_dir) is fresh, its process alive
// and its broker link up or down for less than health.max_offline_s; else exit 1
// with the reason. The container's HEALTHCHECK runs it; it reads a file only, no network.
import { readFileSync } from 'node:fs';
import { loadConfig } from '../config/load.ts';
import { healthFilePath, judgeHealth } from '../lifecycle/healthFile.ts';
import { HashlingError } from '../protocol/errors.ts';
import { choiceOption, runCommand, type CommandSpec } from './args.ts';

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const healthSpec: CommandSpec = {
  name: 'health',
  summary: 'Exit 0 when the local agent or coordinator is healthy (its status file in health.state_dir is fresh, the process alive, the broker not gone longer than health.max_offline_s); else exit 1 with the reason. The container HEALTHCHECK.',
  options: { role: { type: 'string', value: 'agent|coordinator', help: 'which status file to read (default: the agent\'s, else the coordinator\'s)' } },
  config: true,
};

export function healthCommand(argv: string[]): Promise<number> {
  return runCommand(healthSpec, argv, async (p) => {
    const only = p.values.role === undefined ? null : choiceOption(p, 'role', ['agent', 'coordinator'] as const, 'agent');
    const h = loadConfig(p.load).health;
    if (!h.state_dir) throw new HashlingError('E_CONFIG', 'health.state_dir is empty; set HASHLING_HEALTH_STATE_DIR where the process writes its status');
    const roles = only ? [only] : (['agent', 'coordinator'] as const);
    for (const role of roles) {
      let raw: string;
      try {
        raw = readFileSync(healthFilePath(h.state_dir, role), 'utf8');
      } catch {
        continue;
      }
      const v = judgeHealth(raw, Date.now(), h.max_offline_s, pidAlive);
      process.stdout.write(`${v.healthy ? 'healthy' : 'unhealthy'}: ${role} ${v.reason}\n`);
      return v.healthy ? 0 : 1;
    }
    process.stdout.write(`unhealthy: no status file ${roles.map((r) => healthFilePath(h.state_dir, r)).join(' or ')}; is hashling running?\n`);
    return 1;
  });
}
