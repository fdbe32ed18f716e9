// Section `health`: the state directory and the small status file a supervisor
// (Docker HEALTHCHECK, systemd, a shell loop) reads through `hashling health`:
// the process's own view of itself, so a check needs neither the broker nor a port.
import { dirPath, numberIn } from './formats.ts';
import { key } from './spec.ts';

export const health = {
  state_dir: key({
    doc: 'State directory: the agent (health-agent.json) and coordinator (health-coordinator.json) write their status here every interval_s, atomically, and the agent keeps its caches here; empty = none. The container and systemd units set /var/lib/hashling.',
    format: dirPath, default: '', restart: true,
  }),
  interval_s: key({ doc: 'Seconds between status file writes; `hashling health` calls a file older than 3 × this (at least 30 s) stale.', format: numberIn(0.1, 3600), default: 10, restart: true }),
  max_offline_s: key({ doc: '`hashling health` fails once the broker has been unreachable this long (short outages are ridden out by reconnecting, not by a restart).', format: numberIn(1, 86_400), default: 300 }),
};
