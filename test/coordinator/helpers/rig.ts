// A coordinator under test: private Mosquitto, a scripted Stratum pool (the
// genesis job unless a test passes another script), the coordinator in-process,
// and a collector that plays devices over MQTT.
import { VERSION } from '../../../agent/deviceInfo.ts';
import { loadConfig } from '../../../config/load.ts';
import { Coordinator } from '../../../coordinator/coordinator.ts';
import { StratumPoolSet } from '../../../coordinator/stratum/poolSet.ts';
import type { CarverOptions } from '../../../coordinator/carving.ts';
import type { JobSource } from '../../../coordinator/source.ts';
import { startMosquitto, type Broker } from '../../../harness/mosquitto.ts';
import { Collector } from '../../helpers/collector.ts';
import { TestStratumServer, type ServerScript } from './stratumServer.ts';
import { WORKER, publicScript } from './fixtures.ts';

export { WORKER };

export interface Rig {
  broker: Broker;
  pools: TestStratumServer[];
  coordinator: Coordinator;
  devices: Collector;
  log: string[];
  /** Publishes a device's retained status (and info) as an agent would. */
  online(id: string, info?: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

export interface RigOptions {
  script?: Partial<ServerScript>;
  /** Pool login (default WORKER); a replayed session needs the worker it was recorded with. */
  worker?: string;
  pools?: number;
  coordinator?: Record<string, unknown>;
  /** Other config sections (e.g. telemetry) for the coordinator. */
  config?: Record<string, unknown>;
  carver?: CarverOptions;
  signingKey?: Uint8Array;
  source?: JobSource;
}

export async function startRig(o: RigOptions = {}): Promise<Rig> {
  const broker = await startMosquitto();
  const pools: TestStratumServer[] = [];
  const worker = o.worker ?? WORKER;
  for (let i = 0; i < (o.pools ?? 1); i++) pools.push(await new TestStratumServer({ ...publicScript(), ...o.script }).listen());
  const config = loadConfig({
    argv: [], env: {},
    overrides: {
      ...o.config,
      broker: { url: broker.url, reconnect_min_ms: 100, reconnect_max_ms: 1000 } as Record<string, unknown>,
      coordinator: { pools: pools.map((p) => p.url), pool_user: worker, pool_retry_primary_s: 0.3, stats_interval_s: 0.2, ...o.coordinator },
    },
  });
  const log: string[] = [];
  const source = o.source ?? new StratumPoolSet({
    pools: pools.map((p) => p.url), user: worker, password: 'x', backoff: { minMs: 50, maxMs: 400 }, primaryRetryMs: 300,
    connection: { requestTimeoutMs: 2000 },
  });
  const coordinator = new Coordinator({ settings: config.coordinator, broker: config.broker, base: config.mqtt.base_topic, source, carver: o.carver, signingKey: o.signingKey ?? null, log: (l) => log.push(l),
    discovery: config.discovery, telemetryIntervalS: config.telemetry.interval_s, version: VERSION,
  });
  const devices = await Collector.connect(broker.url, ['hashling/+/work', 'hashling/+/acks', 'hashling/coordinator/#']);
  await coordinator.start();
  return {
    broker, pools, coordinator, devices, log,
    async online(id, info) {
      if (info) await devices.publish(`hashling/${id}/info`, JSON.stringify({ v: 1, ...info }), { retain: true });
      await devices.publish(`hashling/${id}/status`, JSON.stringify({ v: 1, state: 'online', ts: Date.now() }), { retain: true });
    },
    async stop() {
      await coordinator.stop();
      await devices.close();
      for (const p of pools) await p.close();
      await broker.stop();
    },
  };
}
