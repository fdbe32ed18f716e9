// Fault: 10,000 hostile payloads on a live agent's work and cmd topics. Each is
// followed by a `ping` whose answer closes its window (the agent handles its
// input in order), so every payload is judged on its own:
// - work: each parse error the protocol parser predicts comes back as an event
//   with its code, and a payload with units gets a state/result/event;
// - cmd/<verb>: exactly one response on res/<verb>.
// The agent must stay up, keep RSS bounded, and still hash a good unit after.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt, { type MqttClient } from 'mqtt';
import { startMosquitto, type Broker } from '../../harness/mosquitto.ts';
import { spawnAgent, type AgentProcess } from '../helpers/agentProcess.ts';
import { coolSysfs } from '../helpers/coolSysfs.ts';
import { rssMb } from '../helpers/procStat.ts';
import { parseWorkPayload } from '../../protocol/workUnit.ts';
import { parseCommandPayload } from '../../protocol/commands.ts';
import { fuzzCase, prng } from './fuzzPayloads.ts';

const COUNT = Number(process.env.HASHLING_FUZZ_COUNT ?? 10_000);
const SEED = 20251122;
const BASE = 'hashling/fz';
let broker: Broker;
let agent: AgentProcess;

before(async () => {
  // Without TCP_NODELAY each request/answer pair waits on Nagle + delayed ACK (~40 ms).
  broker = await startMosquitto({ extraConfig: 'max_queued_messages 0\nset_tcp_nodelay true\n' });
  agent = spawnAgent(['--broker', broker.url, '--device-id', 'fz', '--threads', '1'], {
    HASHLING_SENSORS_SYSFS_ROOT: coolSysfs().root,
    HASHLING_TELEMETRY_INTERVAL_S: '10',
    HASHLING_BUDGET_MAX_CPU_PERCENT: '30',
    // The fuzzer, not the rate limiter, should reach the verbs.
    HASHLING_COMMANDS_RATE_PER_MIN: '100000000',
    HASHLING_COMMANDS_BURST: '100000000',
  });
});

after(async () => {
  agent.proc.kill('SIGKILL');
  await broker.stop();
});

test('prototype-pollution keys never reach Object.prototype through the parsers', () => {
  const r = prng(SEED);
  for (let n = 0; n < COUNT; n++) {
    const c = fuzzCase(r, n);
    try { parseWorkPayload(c.payload); } catch { /* a throw is the parser's answer */ }
    try { parseCommandPayload(c.payload); } catch { /* idem */ }
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), Object.getOwnPropertyNames(Object.getPrototypeOf({})).sort());
});

interface Seen { topic: string; raw: string; json: any }

test('10,000 fuzzed work and cmd payloads: each answered by rule, agent up, RSS bounded', { timeout: 240_000 }, async () => {
  const client: MqttClient = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
  (client.stream as unknown as { setNoDelay(on: boolean): void }).setNoDelay(true);
  const seen: Seen[] = [];
  let waiter: { tx: string; resolve: () => void } | null = null;
  /** Index in `seen` of the last sync answer: the end of a payload's window. */
  let syncAt = 0;
  client.on('message', (topic, payload) => {
    const raw = payload.toString();
    let json: any = null;
    try { json = JSON.parse(raw); } catch { /* keep raw */ }
    seen.push({ topic, raw, json });
    if (waiter && topic === `${BASE}/res/ping` && json?.transaction === waiter.tx) { const w = waiter; waiter = null; syncAt = seen.length - 1; w.resolve(); }
  });
  await client.subscribeAsync([`${BASE}/events`, `${BASE}/results`, `${BASE}/state`, `${BASE}/status`, `${BASE}/res/#`], { qos: 1 });
  const sync = (tx: string) => new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer to ping ${tx} within 10 s`)), 10_000);
    waiter = { tx, resolve: () => { clearTimeout(t); resolve(); } };
    client.publish(`${BASE}/cmd/ping`, JSON.stringify({ v: 1, transaction: tx }), { qos: 1 });
  });
  try {
    const up = Date.now() + 30_000;
    while (!seen.some((m) => m.topic.endsWith('/status') && m.json?.state === 'online') && Date.now() < up) await new Promise((res) => setTimeout(res, 100));
    // Commands are subscribed once connected; a ping may race the SUBACK, so retry.
    for (let i = 0; ; i++) {
      try { await sync(`hello-${i}`); break; } catch (err) { if (i >= 3) throw err; }
    }
    const r = prng(SEED);
    const failures: string[] = [];
    const rss: number[] = [];
    const kinds: Record<string, number> = {};
    const timing: Record<string, number> = {};
    const t0 = Date.now();
    let from = seen.length;
    for (let n = 0; n < COUNT; n++) {
      const c = fuzzCase(r, n);
      kinds[c.kind] = (kinds[c.kind] ?? 0) + 1;
      const ts = performance.now();
      client.publish(`${BASE}/${c.leaf}`, c.payload, { qos: 1 });
      await sync(`sync-${n}`);
      const key = `${c.leaf.split('/')[0] === 'cmd' ? c.leaf : 'work'}:${c.kind}`;
      timing[key] = (timing[key] ?? 0) + performance.now() - ts;
      const window = seen.slice(from, syncAt);
      from = syncAt + 1;
      if (c.leaf === 'work') {
        const oracle = parseWorkPayload(c.payload);
        const codes = new Set(window.filter((m) => m.topic.endsWith('/events')).map((m) => m.json?.code));
        for (const e of oracle.errors) if (!codes.has(e.code)) failures.push(`#${n} ${c.kind} work: expected event ${e.code}, got ${[...codes].join(',') || 'none'}`);
        if (oracle.units.length > 0 && !window.some((m) => /\/(events|results|state)$/.test(m.topic))) failures.push(`#${n} ${c.kind} work: ${oracle.units.length} unit(s) and no state/result/event`);
      } else {
        const verb = c.leaf.slice('cmd/'.length);
        const answers = window.filter((m) => m.topic === `${BASE}/res/${verb}`).length;
        if (answers !== 1) failures.push(`#${n} ${c.kind} ${c.leaf}: ${answers} responses`);
      }
      if (n % 1000 === 999) {
        rss.push(Math.round(rssMb(agent.proc.pid!)));
        // The window list would grow with the run; what was judged is dropped.
        seen.splice(0, from);
        syncAt -= from;
        from = 0;
      }
      if (failures.length > 20) break;
    }
    const secs = (Date.now() - t0) / 1000;
    rss.push(Math.round(rssMb(agent.proc.pid!)));
    if (process.env.HASHLING_FUZZ_TIMING) process.stdout.write(`# timing ${JSON.stringify(Object.entries(timing).sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => [k, Math.round(v)]))}\n`);
    assert.deepEqual(failures, [], failures.slice(0, 20).join('\n'));
    assert.equal(agent.proc.exitCode, null, 'the agent is still running');
    // Bounded: after the first thousand (JIT, caches), at most +64 MiB.
    assert.ok(Math.max(...rss) - rss[0]! < 64, `RSS per 1000 payloads: ${rss.join(', ')} MiB`);

    // Still a working miner: resume (a fuzzed pause may hold), then a known unit.
    client.publish(`${BASE}/cmd/resume`, JSON.stringify({ v: 1 }), { qos: 1 });
    client.publish(`${BASE}/cmd/budget/set`, JSON.stringify({ v: 1, max_cpu_percent: 100 }), { qos: 1 });
    client.publish(`${BASE}/work`, JSON.stringify({ v: 1, unit_id: 'after-fuzz', job_id: 'af', algo: 'sha256d', header: '00'.repeat(80), nonce_start: 0, nonce_end: 9_999, target: 'ff'.repeat(32), clean: true }), { qos: 1 });
    const deadline = Date.now() + 30_000;
    let result: Seen | undefined;
    while (!(result = seen.find((m) => m.topic.endsWith('/results') && m.json?.unit_id === 'after-fuzz')) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
    assert.ok(result, 'the agent still hashes after the fuzz');
    assert.equal(result.json.status, 'done');
    assert.equal(result.json.hashes, 10_000);
    assert.equal(result.json.shares, 10_000);
    process.stdout.write(`# fuzz: ${COUNT} payloads in ${secs.toFixed(1)} s (${JSON.stringify(kinds)}); agent RSS per 1000: ${rss.join(', ')} MiB\n`);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- agent\n${agent.output().slice(-3000)}`);
  } finally {
    await client.endAsync(true);
  }
});
