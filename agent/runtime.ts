// Builds and starts a whole agent from a config: self-test, kernel choice, MQTT
// link with Last Will, worker pool, agent. Used by `hashling agent` and `demo`.
import { configDigest, type HashlingConfig } from '../config/load.ts';
import { HashlingError } from '../protocol/errors.ts';
import { statusPayload } from '../protocol/payloads.ts';
import { deviceTopic } from '../protocol/topics.ts';
import { findKernel, selectKernel } from '../kernels/registry.ts';
import { measureKernel } from '../bench/kernels.ts';
import { verifyUnitSignature } from '../protocol/signing.ts';
import { runSelfTest } from '../kernels/selfTest.ts';
import { ALGOS, type Algo } from '../kernels/types.ts';
import { MqttLink } from '../transport/mqttLink.ts';
import { Agent } from './agent.ts';
import { BudgetLoop } from './budget/budgetLoop.ts';
import { makeSensors } from './sensors/makeSensors.ts';
import { hostFacts, VERSION } from './deviceInfo.ts';
import { WorkerPool } from './pool/workerPool.ts';
import { CommandServer } from './commands/commandServer.ts';
import type { CommandHost } from './commands/host.ts';
import { HaDiscovery } from './discovery/haDiscovery.ts';
import type { ErrorCode } from '../protocol/errors.ts';
import { HealthFile } from './healthFile.ts';
import type { HealthSection } from '../config/health.ts';

export interface AgentRuntime {
  agent: Agent;
  budget: BudgetLoop;
  link: MqttLink;
  pool: WorkerPool;
  commands: CommandServer;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** The JSON config file the agent was started with; config/set writes it when config.writable. */
  configFile?: string;
  /** Called by the `restart` command: stop cleanly and exit EXIT_RESTART (cli/agent.ts). */
  onRestart?: () => void;
}

/** Runs the golden-vector self-test and picks the fastest passing kernel per algorithm. */
export function chooseKernels(log: (line: string) => void): Partial<Record<Algo, string>> {
  const failed = new Set<string>();
  for (const r of runSelfTest()) {
    if (!r.ok) {
      failed.add(r.kernel);
      log(`E_SELFTEST kernel ${r.kernel} failed its golden vectors: ${r.detail ?? 'mismatch'}; not used`);
    }
  }
  const chosen: Partial<Record<Algo, string>> = {};
  for (const algo of ALGOS) {
    const k = selectKernel(algo);
    if (k && !failed.has(k.name)) chosen[algo] = k.name;
  }
  return chosen;
}

/**
 * A short single-thread benchmark of each chosen kernel (~100 ms each) times the
 * thread count: the device estimate advertised in `info`, so a coordinator can
 * size a new device's first units before any share is verified.
 */
export function benchmarkKernels(kernels: Partial<Record<Algo, string>>, threads: number, ms = 100): Partial<Record<Algo, number>> {
  const out: Partial<Record<Algo, number>> = {};
  for (const [algo, name] of Object.entries(kernels) as [Algo, string][]) {
    const k = findKernel(name);
    if (k) out[algo] = Math.round(measureKernel(k, ms) * threads);
  }
  return out;
}

export async function startAgent(config: HashlingConfig, log: (line: string) => void, opts: StartOptions = {}): Promise<AgentRuntime> {
  const kernels = chooseKernels(log);
  if (Object.keys(kernels).length === 0) throw new HashlingError('E_SELFTEST', 'no kernel passed the self-test; refusing to mine');
  const base = config.mqtt.base_topic;
  const publicKey = String((config.work as { coordinator_public_key?: string } | undefined)?.coordinator_public_key ?? '');
  const id = config.device.id;
  const link = new MqttLink({
    broker: config.broker,
    clientId: `hashling-${id}`,
    // The broker publishes this retained `lost` if the agent vanishes without a DISCONNECT.
    will: { topic: deviceTopic(base, id, 'status'), payload: statusPayload('lost', Date.now()), qos: 1, retain: true },
    log,
  });
  const pool = new WorkerPool({ threads: config.hashing.threads, batchMs: config.hashing.batch_ms });
  await pool.start();
  // The budget and the agent refer to each other through these callbacks only.
  let agent: Agent | null = null;
  const budget = new BudgetLoop({
    config,
    threads: pool.threads,
    sensors: makeSensors(config),
    applyLevel: (level, periodMs) => pool.setLevel(level, periodMs),
    onEvent: (e) => agent?.reportEvent(e.type, e.code, e.message),
    onStateChange: () => agent?.publishState(true),
  });
  const facts = hostFacts();
  agent = new Agent({
    config,
    link,
    pool,
    kernels,
    info: { version: VERSION, ...facts, groups: config.device.groups, config_digest: configDigest(config), benchmark_hps: benchmarkKernels(kernels, config.hashing.threads) },
    clock: { now: () => Date.now() },
    log,
    budget,
    verifySignature: publicKey ? (raw) => verifyUnitSignature(raw, publicKey) : undefined,
  });
  const started = agent;
  const host = commandHost(config, link, pool, budget, started, kernels, opts, log);
  const commands = new CommandServer({ config, link, host, log });
  const discovery = new HaDiscovery({ config, link, device: { version: VERSION, model: facts.model } });
  await agent.start();
  budget.start();
  commands.start();
  discovery.start();
  link.start();
  // The status file behind `hashling health` (container HEALTHCHECK), when health.state_dir is set.
  const h = config.health as unknown as HealthSection | undefined;
  const health = h?.state_dir ? new HealthFile({
    dir: h.state_dir, role: 'agent', intervalMs: h.interval_s * 1000, log,
    snapshot: () => ({ connected: link.connected, detail: { device_id: id, mode: started.mode(), outbox: link.outboxLength, threads: pool.threads, version: VERSION } }),
  }) : null;
  health?.start();
  return {
    agent: started,
    budget,
    link,
    pool,
    commands,
    async stop() {
      await commands.stop();
      discovery.stop();
      await health?.stop();
      await budget.stop();
      await started.stop();
      await pool.stop();
    },
  };
}

/** What the command handlers may touch, from the running parts (agent/commands/host.ts). */
function commandHost(config: HashlingConfig, link: MqttLink, pool: WorkerPool, budget: BudgetLoop, agent: Agent,
  kernels: Partial<Record<Algo, string>>, opts: StartOptions, log: (line: string) => void): CommandHost {
  const events = deviceTopic(config.mqtt.base_topic, config.device.id, 'events');
  return {
    deviceId: config.device.id,
    config,
    configFile: opts.configFile,
    now: () => Date.now(),
    setPaused: (p) => agent.setPaused(p),
    mode: () => agent.mode(),
    publishState: () => agent.publishState(),
    setBudget: (patch) => budget.setBudget(patch),
    threads: () => pool.threads,
    maxThreads: () => pool.maxThreads,
    async setThreads(n) {
      await pool.setThreads(n);
      budget.setThreads(n);
    },
    kernels,
    version: VERSION,
    requestRestart() {
      if (opts.onRestart) opts.onRestart();
      else log('restart requested, but this process has no service hook; ignored');
    },
    event(type, code, message) {
      if (type === 'info') {
        log(`info ${code}: ${message}`);
        link.publishVolatile(events, JSON.stringify({ v: 1, type, code, message, ts: Date.now() }), { qos: 1 });
      } else {
        agent.reportEvent(type, code as ErrorCode, message);
      }
    },
  };
}
