// Builds a whole agent from a config and starts its components in order (pool,
// link, budget, agent, commands, discovery, health). A component that fails to
// start stops the ones before it, so a failed start leaves no thread or timer.
// Used by `hashling agent` and `hashling demo`.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { configDigest } from '../config/load.ts';
import { hostFacts as deviceBounds } from '../config/rules.ts';
import type { HashlingConfig } from '../config/schema.ts';
import { benchmarkFromPlan } from '../kernels/choose.ts';
import type { Algo } from '../kernels/types.ts';
import { systemClock, type Clock } from '../lifecycle/clock.ts';
import { component, startAll, type Component } from '../lifecycle/component.ts';
import { HealthFile } from '../lifecycle/healthFile.ts';
import { HashlingError } from '../protocol/errors.ts';
import { buildHaDiscovery } from '../protocol/homeAssistant.ts';
import { statusPayload } from '../protocol/payloads.ts';
import { verifyUnitSignature } from '../protocol/signing.ts';
import { deviceTopic } from '../protocol/topics.ts';
import { HaDiscovery } from '../transport/haDiscovery.ts';
import { MqttLink } from '../transport/mqttLink.ts';
import { Agent, type Session } from './agent.ts';
import { BudgetLoop } from './budget/budgetLoop.ts';
import { CommandServer } from './commands/commandServer.ts';
import { isLiveKey, type CommandHost } from './commands/host.ts';
import { hostFacts, VERSION } from './deviceInfo.ts';
import { readHostDetailsInChild, takeKernelCheck } from './kernelCheckProcess.ts';
import { HASH_WORKER_ENTRY, LEAN_POOL, WorkerPool } from './pool/workerPool.ts';
import { makeSensors } from './sensors/makeSensors.ts';

export interface AgentRuntime {
  agent: Agent;
  budget: BudgetLoop;
  link: MqttLink;
  pool: WorkerPool;
  commands: CommandServer;
  /** Kernel per algorithm that passed the self-test. */
  kernels: Partial<Record<Algo, string>>;
  /** The loaded config with every live change in force. */
  effectiveConfig(): HashlingConfig;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** The JSON config file the agent was started with; config/set writes it when config.writable. */
  configFile?: string;
  /** Called by the `restart` command: stop cleanly and exit EXIT.RESTART (cli/agent.ts). */
  onRestart?: () => void;
  /**
   * Called once when the agent cannot go on: another agent holds its id
   * (E_DUPLICATE_ID), or the broker refused its credentials at the first connect
   * (E_NOT_AUTHORIZED). The caller stops the runtime and exits with its code.
   */
  onFatal?: (err: HashlingError) => void;
  clock?: Clock;
  /** The hashing threads' entry module (a file URL); tests point it at one that fails to load. */
  workerEntry?: string;
}

export async function startAgent(config: HashlingConfig, log: (line: string) => void, opts: StartOptions = {}): Promise<AgentRuntime> {
  const clock = opts.clock ?? systemClock;
  const base = config.mqtt.base_topic;
  const id = config.device.id;
  const publicKey = config.work.coordinator_public_key;
  const session: Session = { session: randomBytes(6).toString('hex'), started_at: clock.now() };
  let fatalSent = false;
  const fatal = (err: HashlingError) => {
    if (fatalSent) return;
    fatalSent = true;
    opts.onFatal?.(err);
  };

  const stateDir = config.health.state_dir;
  if (stateDir) {
    try {
      mkdirSync(stateDir, { recursive: true, mode: 0o750 });
    } catch (err) {
      throw new HashlingError('E_CONFIG', `health.state_dir: cannot create ${stateDir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }
  // The self-test, the planner's choice (cached in health.state_dir per CPU, Node
  // and kernel set) and a hashing thread's boot run in a process of their own,
  // forked before this one loaded its modules (agent/kernelCheck.ts): the agent's
  // main thread never compiles a kernel, and hashing threads start with the first unit.
  const workerEntry = opts.workerEntry ?? HASH_WORKER_ENTRY;
  const check = await takeKernelCheck().ask({ stateDir, workerEntry }, { log });
  for (const line of check.log) log(line);
  if (check.bootError) throw new Error(`hashing thread 0 failed to start: ${check.bootError}`);
  const choice = check.choice;
  if (Object.keys(choice.kernels).length === 0) throw new HashlingError('E_SELFTEST', 'no kernel passed the self-test; refusing to mine');
  const kernels = choice.kernels;
  const pool = new WorkerPool({ threads: config.hashing.threads, batchMs: config.hashing.batch_ms, clock, entry: workerEntry, ...LEAN_POOL });
  const poolPart = component('pool', () => pool.start(), () => pool.stop());

  const link = new MqttLink({
    broker: config.broker,
    clientId: `hashling-${id}`,
    // The broker publishes this retained `lost` if the agent vanishes without a
    // DISCONNECT; it carries the time of the connection that was lost.
    will: () => ({ topic: deviceTopic(base, id, 'status'), payload: statusPayload('lost', clock.now(), session), qos: 1, retain: true }),
    resendUnackedMs: config.broker.share_resend_s * 1000,
    ...(config.health.state_dir ? { journalPath: join(config.health.state_dir, `outbox-${id}.jsonl`) } : {}),
    log,
    clock,
  });
  link.on('refused', fatal);
  // The budget and the agent refer to each other through these callbacks only.
  let agent: Agent | null = null;
  const budget = new BudgetLoop({
    budget: config.budget,
    sensorsConfig: config.sensors,
    threads: config.hashing.threads,
    sensors: makeSensors(config.sensors, config.budget),
    applyLevel: (level, periodMs) => pool.setLevel(level, periodMs),
    onEvent: (e) => agent?.reportEvent(e.type, e.code, e.message),
    onStateChange: () => agent?.publishState(true),
    clock,
  });
  const facts = hostFacts(config.sensors.sysfs_root);
  const started = new Agent({
    base, id, queueSize: config.hashing.queue_size, telemetryIntervalS: config.telemetry.interval_s,
    link, pool, kernels, session, clock, log, budget,
    info: {
      version: VERSION, ...facts, groups: config.device.groups, algorithms: Object.keys(kernels), kernels: kernels as Record<string, string>,
      threads: config.hashing.threads, config_digest: configDigest(config),
      benchmark_hps: benchmarkFromPlan(choice.plan, config.hashing.threads), kernel_plan: choice.plan,
    },
    verifySignature: publicKey ? (raw) => verifyUnitSignature(raw, publicKey) : undefined,
    onFatal: fatal,
  });
  agent = started;
  // Pool threads, budget and command limits own their live values; this is the one view of them.
  let commands: CommandServer | null = null;
  const effectiveConfig = (): HashlingConfig => ({
    ...config,
    budget: budget.current(),
    hashing: { ...config.hashing, threads: pool.threads || config.hashing.threads },
    commands: commands?.current() ?? config.commands,
  });
  const host = commandHost(config, effectiveConfig, pool, budget, started, () => commands, kernels, opts, log, clock);
  commands = new CommandServer({ base, id, groups: config.device.groups, commands: config.commands, link, host, log });
  const discovery = new HaDiscovery({ link, discovery: config.discovery });
  discovery.announce(buildHaDiscovery({ base, id, prefix: config.discovery.prefix, version: VERSION, model: facts.model }));
  const parts: Component[] = [poolPart, link, budget, started, commands, discovery];
  const h = config.health;
  if (h.state_dir) {
    parts.push(new HealthFile({
      dir: h.state_dir, role: 'agent', intervalMs: h.interval_s * 1000, log, clock,
      snapshot: () => ({ connected: link.connected, detail: { device_id: id, mode: started.mode(), outbox: link.outboxLength, threads: pool.threads, version: VERSION } }),
    }));
  }
  // Host details (maker, OS, CPU) from systeminformation: read once the device is
  // online, in a short-lived process, never on the hashing path (agent/deviceInfo.ts).
  let live = false;
  link.once('connect', () => {
    readHostDetailsInChild(log).then((d) => { if (live) started.updateInfo(d); }, (err: unknown) => log(`host details unavailable: ${(err as Error).message}`));
  });
  const running = await startAll(parts, log);
  live = true;
  return { agent: started, budget, link, pool, commands, kernels, effectiveConfig, stop: () => running.stop() };
}

/** What the command handlers may touch, from the running parts (agent/commands/host.ts). */
function commandHost(config: HashlingConfig, effective: () => HashlingConfig, pool: WorkerPool, budget: BudgetLoop, agent: Agent,
  commands: () => CommandServer | null, kernels: Partial<Record<Algo, string>>, opts: StartOptions, log: (line: string) => void, clock: Clock): CommandHost {
  return {
    deviceId: config.device.id,
    config: effective,
    configFile: opts.configFile,
    facts: deviceBounds(),
    now: () => clock.now(),
    setPaused: (p) => agent.setPaused(p),
    mode: () => agent.mode(),
    publishState: () => agent.publishState(),
    async apply(next, changed) {
      const live = changed.filter(isLiveKey);
      // Threads first: the only change that can fail (a thread that does not start).
      if (live.includes('hashing.threads') && next.hashing.threads !== pool.threads) {
        await pool.setThreads(next.hashing.threads);
        budget.setThreads(next.hashing.threads);
      }
      if (live.some((k) => k.startsWith('budget.'))) budget.setBudget(next.budget);
      if (live.some((k) => k.startsWith('commands.'))) commands()?.reconfigure(next.commands);
      if (live.length > 0) agent.publishState();
    },
    threads: () => pool.threads,
    maxThreads: () => pool.maxThreads,
    kernels,
    version: VERSION,
    requestRestart() {
      if (opts.onRestart) opts.onRestart();
      else log('restart requested, but this process has no service hook; ignored');
    },
    event(type, code, message) {
      agent.reportEvent(type, code, message);
    },
  };
}
