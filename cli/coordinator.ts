// `hashling coordinator --broker URL --pool stratum+tcp://host:port --pool-user U
// --pool-password P` (--pool repeatable, in failover order; --source demo for
// synthetic jobs). Logs one compact line per pool event and a status line every
// 10 s; SIGINT/SIGTERM stop it cleanly (retained status `offline`). The
// economics component (economics.*) runs beside it.
import { loadConfig } from '../config/load.ts';
import { VERSION } from '../agent/deviceInfo.ts';
import { createCoordinator, createEconomics } from '../coordinator/fromConfig.ts';
import { formatRate } from '../fleet/format.ts';
import { startAll, type Component } from '../lifecycle/component.ts';
import { HealthFile } from '../lifecycle/healthFile.ts';
import { runCommand, type CommandSpec } from './args.ts';
import { stderrLog } from './log.ts';
import { waitForSignal } from './signals.ts';

export const coordinatorSpec: CommandSpec = {
  name: 'coordinator',
  summary: 'The pool side: takes jobs from Stratum V1 pools (or --source demo), carves them into units per device, verifies every share, forwards pool shares upstream.',
  options: { pool: { type: 'string', multiple: true, value: 'URL', help: 'a Stratum V1 pool, stratum+tcp://host:port or stratum+ssl://host:port, in failover order' } },
  config: true,
};

const STATUS_EVERY_MS = 10_000;

export function coordinatorCommand(argv: string[]): Promise<number> {
  return runCommand(coordinatorSpec, argv, async (p) => {
    const pools = p.values.pool as string[] | undefined;
    const flags = pools && pools.length > 0 ? { ...p.load.flags, pools: [p.load.flags?.pools, ...pools].filter(Boolean).join(',') } : p.load.flags;
    const config = loadConfig({ ...p.load, flags });
    const log = stderrLog('coordinator');
    const coordinator = createCoordinator(config, { log, version: VERSION });
    // Economics runs beside the coordinator on its broker link, so it starts after it.
    const parts: Component[] = [coordinator, createEconomics(config, coordinator, { log, version: VERSION })];
    const h = config.health;
    if (h.state_dir) {
      parts.push(new HealthFile({
        dir: h.state_dir, role: 'coordinator', intervalMs: h.interval_s * 1000, log,
        snapshot: () => ({ connected: coordinator.connected, detail: { devices_online: coordinator.fleetView?.onlineCount ?? 0 } }),
      }));
    }
    const running = await startAll(parts, log);
    log(`running (source ${config.coordinator.source}); a status line every ${STATUS_EVERY_MS / 1000} s; Ctrl-C stops`);
    const status = setInterval(() => {
      const s = coordinator.stats();
      const pool = s.pool as { state: string; url: string | null; accepted: number; rejected: number };
      log(`status: ${s.devices_online} devices online, ${formatRate(s.hashrate_hps)} verified, shares ${s.shares.accepted} ok / ${s.shares.rejected} rejected, pool ${pool.state}${pool.url ? ` ${pool.url}` : ''} accepted ${pool.accepted} rejected ${pool.rejected}`);
    }, STATUS_EVERY_MS);
    status.unref();
    return waitForSignal(async () => {
      clearInterval(status);
      await running.stop();
    }, log);
  });
}
