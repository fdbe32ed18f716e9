// Section `health`: the small status file a supervisor (Docker HEALTHCHECK,
// systemd, a shell loop) reads through `hashling health` — the process's own
// view of itself, so a check needs neither the broker nor a network port.
import type { SectionSpec } from './schema.ts';

export interface HealthSection {
  state_dir: string;
  interval_s: number;
  max_offline_s: number;
}

export const health: SectionSpec = {
  state_dir: {
    doc: 'Directory where the agent (health-agent.json) and coordinator (health-coordinator.json) write their status every interval_s, atomically; empty = no file. The container and systemd units set /var/lib/hashling.',
    format: String, default: '', restart: true,
  },
  interval_s: { doc: 'Seconds between status file writes; `hashling health` calls a file older than 3 × this (at least 30 s) stale.', format: 'positive-number', default: 10, restart: true },
  max_offline_s: { doc: '`hashling health` fails once the broker has been unreachable this long (short outages are ridden out by reconnecting, not by a restart).', format: 'positive-number', default: 300 },
};
