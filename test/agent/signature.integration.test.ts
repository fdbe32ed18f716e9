// An agent configured with the coordinator's public key hashes only units whose
// signature verifies: a leaked broker password must not buy anyone the fleet's CPUs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startMosquitto, type Broker } from '../../harness/mosquitto.ts';
import { spawnAgent, type AgentProcess } from '../helpers/agentProcess.ts';
import { Collector } from '../helpers/collector.ts';
import { encodeBase64, generateKeyPair, signUnit } from '../../protocol/signing.ts';

import { GENESIS as genesis } from '../fixtures/chain.ts';
const coordinator = generateKeyPair();
const intruder = generateKeyPair();
let broker: Broker;
let agent: AgentProcess;
let c: Collector;

function unit(id: string) {
  return { v: 1, unit_id: id, job_id: 'sig', algo: 'sha256d', header: genesis.header_hex, target: genesis.target, nonce_start: genesis.nonce - 1000, nonce_end: genesis.nonce + 1000 };
}

before(async () => {
  broker = await startMosquitto();
  c = await Collector.connect(broker.url, ['hashling/signed/#']);
  agent = spawnAgent(['--broker', broker.url, '--device-id', 'signed', '--threads', '1'], { HASHLING_WORK_COORDINATOR_PUBLIC_KEY: encodeBase64(coordinator.publicKey) });
  await c.wait('hashling/signed/status', (j) => j.state === 'online', 20_000);
});
after(async () => {
  agent.proc.kill('SIGKILL');
  await c.close();
  await broker.stop();
});

test('unsigned, forged and tampered units are refused with E_BAD_SIGNATURE and never hashed; a signed one runs', { timeout: 60_000 }, async () => {
  const tampered = signUnit(unit('tampered'), coordinator.secretKey);
  tampered.nonce_end += 1; // any change after signing breaks the signature
  const payloads = [unit('unsigned'), signUnit(unit('forged'), intruder.secretKey), tampered];
  for (const p of payloads) await c.publish('hashling/signed/work', JSON.stringify(p));
  for (const id of ['unsigned', 'forged', 'tampered']) {
    const e = await c.wait('hashling/signed/events', (j) => j.unit_id === id);
    assert.deepEqual([e.json.type, e.json.code], ['error', 'E_BAD_SIGNATURE']);
  }
  await c.publish('hashling/signed/work', JSON.stringify(signUnit(unit('good'), coordinator.secretKey)));
  const r = await c.wait('hashling/signed/results', (j) => j.unit_id === 'good');
  assert.deepEqual([r.json.status, r.json.hashes, r.json.shares], ['done', 2001, 1]);
  const refused = c.messages.filter((m) => (m.topic.endsWith('/results') || m.topic.endsWith('/shares') || m.topic.endsWith('/state')) && ['unsigned', 'forged', 'tampered'].includes(m.json?.unit_id));
  assert.deepEqual(refused, [], 'refused units never reach the queue');
});
