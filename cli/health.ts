// `hashling health [--role agent|coordinator]` (default: whichever of the two
// has a status file, agent first, so one image HEALTHCHECK fits both): exit 0 when the local process's
// status file (health.state_dir) is fresh, its process alive and its broker link
// up or down for less than health.max_offline_s; else exit 1 with the reason.
// The container's HEALTHCHECK runs it; it reads a file only, no network.
import { readFileSync } from 'node:fs';
import { loadConfig } from '../config/load.ts';
import type { HealthSection } from '../config/health.ts';
import { healthFilePath, judgeHealth } from '../agent/healthFile.ts';
import { toHashlingError } from '../protocol/errors.ts';
import { EXIT_CONFIG } from './log.ts';

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function healthCommand(argv: string[]): Promise<number> {
  let role: 'agent' | 'coordinator' | null = null;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--role') role = argv[++i] === 'coordinator' ? 'coordinator' : 'agent';
    else if (a.startsWith('--role=')) role = a.endsWith('=coordinator') ? 'coordinator' : 'agent';
    else rest.push(a);
  }
  let h: HealthSection;
  try {
    h = loadConfig({ argv: rest }).health as unknown as HealthSection;
  } catch (err) {
    process.stderr.write(`hashling health: ${toHashlingError(err).message}\n`);
    return EXIT_CONFIG;
  }
  if (!h.state_dir) {
    process.stderr.write('hashling health: health.state_dir is empty; set HASHLING_HEALTH_STATE_DIR where the process writes its status\n');
    return EXIT_CONFIG;
  }
  const roles = role ? [role] : (['agent', 'coordinator'] as const);
  let raw: string | null = null;
  for (const r of roles) {
    try {
      raw = readFileSync(healthFilePath(h.state_dir, r), 'utf8');
      role = r;
      break;
    } catch {
      // try the next role
    }
  }
  if (raw === null || role === null) {
    process.stdout.write(`unhealthy: no status file ${roles.map((r) => healthFilePath(h.state_dir, r)).join(' or ')}; is hashling running?\n`);
    return 1;
  }
  const v = judgeHealth(raw, Date.now(), h.max_offline_s, pidAlive);
  process.stdout.write(`${v.healthy ? 'healthy' : 'unhealthy'}: ${role} ${v.reason}\n`);
  return v.healthy ? 0 : 1;
}
