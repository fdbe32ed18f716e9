import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { StratumPoolSet } from '../../../coordinator/stratum/poolSet.ts';
import { StratumConnection } from '../../../coordinator/stratum/connection.ts';
import type { SourceJob } from '../../../coordinator/source.ts';
import { TestStratumServer, recordedScript } from '../helpers/stratumServer.ts';
import { WORKER, needsRecording, publicScript, recording } from '../helpers/fixtures.ts';
import { GENESIS_JOB } from '../../fixtures/chain.ts';

function poolSet(pools: string[], primaryRetryMs = 300, worker = WORKER) {
  const set = new StratumPoolSet({
    pools, user: worker, password: 'x', backoff: { minMs: 50, maxMs: 400 }, primaryRetryMs,
    connection: { requestTimeoutMs: 2000 },
  });
  const jobs: SourceJob[] = [];
  const log: string[] = [];
  set.on('job', (j) => jobs.push(j));
  set.on('log', (l) => log.push(l));
  return { set, jobs, log };
}

async function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('the recorded session replays: handshake, job, and the exact accepted mining.submit', { timeout: 10_000, ...needsRecording }, async () => {
  const { rec } = recording();
  const server = await new TestStratumServer(recordedScript(rec)).listen();
  const { set, jobs } = poolSet([server.url], 300, JSON.parse(rec.submit_raw).params[0] as string);
  try {
    await set.start();
    await until(() => jobs.length === 1, 3000, 'the notify');
    const job = jobs[0]!;
    assert.equal(job.extranonce1, '57a6f098');
    assert.equal(job.extranonce2Size, 4);
    assert.equal(job.versionMask, 0x1fffe000);
    assert.equal(job.clean, true, 'the first job of a session voids everything before it');
    assert.equal(job.poolJobId, '1');
    assert.deepEqual(server.received.map((m) => m.method).slice(0, 3), ['mining.configure', 'mining.subscribe', 'mining.authorize']);
    const share = { job, extranonce2: rec.submit_extranonce2, versionBits: 0x2000, nonce: parseInt(rec.submit_nonce, 16), hashValue: BigInt(`0x${rec.expected.hash}`) };
    const out = await set.submit(share);
    assert.deepEqual(out, { status: 'accepted' });
    assert.deepEqual(server.submits[0]!.params, JSON.parse(rec.submit_raw).params);
    assert.equal(server.submits[0]!.hash, rec.expected.hash);
    assert.equal(set.status().accepted, 1);
    // The same share is never sent twice.
    assert.deepEqual(await set.submit(share), { status: 'duplicate' });
    assert.equal(server.submits.length, 1);
  } finally {
    await set.stop();
    await server.close();
  }
});

test('garbage and unknown calls from the pool do not end the session', { timeout: 10_000 }, async () => {
  const server = await new TestStratumServer(publicScript()).listen();
  const { set, jobs, log } = poolSet([server.url]);
  try {
    await set.start();
    await until(() => jobs.length === 1, 3000, 'the first job');
    server.broadcast('{"id":9,"method":"client.get_version","params":[]}');
    server.writeRaw('this is not json\n{"id":77,"result":true}\n');
    const params = GENESIS_JOB.notifyParams;
    server.notify(['2', ...params.slice(1, 8), true]);
    await until(() => jobs.length === 2, 3000, 'the second job');
    assert.equal(jobs[1]!.clean, true);
    assert.ok(log.some((l) => l.includes('E_STRATUM')), log.join('\n'));
    assert.equal(set.status().state, 'connected');
  } finally {
    await set.stop();
    await server.close();
  }
});

test('a pool without mining.configure gets 5-parameter submits', { timeout: 10_000 }, async () => {
  const server = await new TestStratumServer({ ...publicScript(), configureResult: undefined }).listen();
  const conn = new StratumConnection({ url: server.url, user: 'w', password: 'p', requestTimeoutMs: 2000 });
  try {
    const s = await conn.open();
    assert.equal(s.versionMask, null);
    // The genesis share needs no rolled version bits: five parameters rebuild its header.
    const reply = await conn.submit(['w', '1', GENESIS_JOB.extranonce2, GENESIS_JOB.notifyParams[7], GENESIS_JOB.nonce.toString(16).padStart(8, '0')]);
    assert.equal(reply.accepted, true);
    assert.equal(server.submits[0]!.params.length, 5);
    assert.equal(server.submits[0]!.hash, GENESIS_JOB.block_hash);
  } finally {
    conn.close();
    await server.close();
  }
});

test('a rejected authorize fails the handshake with E_STRATUM', { timeout: 10_000 }, async () => {
  const server = await new TestStratumServer({ ...publicScript(), authorize: false }).listen();
  const conn = new StratumConnection({ url: server.url, user: 'w', password: 'p', requestTimeoutMs: 2000 });
  try {
    await assert.rejects(conn.open(), (e: Error & { code?: string }) => e.code === 'E_STRATUM' && /authorize/.test(e.message));
  } finally {
    await server.close();
  }
});

test('failover goes to the next pool in order and returns to the first when it is back', { timeout: 20_000 }, async () => {
  const a = await new TestStratumServer(publicScript()).listen();
  const b = await new TestStratumServer(publicScript()).listen();
  const aPort = a.port;
  const { set, jobs } = poolSet([a.url, b.url], 300);
  try {
    await set.start();
    await until(() => set.status().pool_index === 0 && jobs.length === 1, 3000, 'pool 0');
    await a.close();
    await until(() => set.status().pool_index === 1, 5000, 'failover to pool 1');
    await until(() => jobs.length === 2, 3000, 'a job from pool 1');
    assert.equal(jobs[1]!.clean, true);
    assert.notEqual(jobs[1]!.id, jobs[0]!.id);
    // Shares of the dead session are stale, not sent anywhere.
    assert.deepEqual(await set.submit({ job: jobs[0]!, extranonce2: '00000000', versionBits: 0, nonce: 1, hashValue: 0n }), { status: 'stale' });
    await a.listen(aPort);
    await until(() => set.status().pool_index === 0, 5000, 'return to pool 0');
    await until(() => jobs.length === 3 && jobs[2]!.clean, 3000, 'a clean job from pool 0');
    await until(() => b.clients === 0, 3000, 'the backup session to close');
  } finally {
    await set.stop();
    await a.close();
    await b.close();
  }
});

test('when every pool is down it retries with backoff until one appears', { timeout: 15_000 }, async () => {
  const a = await new TestStratumServer(publicScript()).listen();
  const port = a.port;
  await a.close();
  const { set, jobs, log } = poolSet([`stratum+tcp://127.0.0.1:${port}`]);
  try {
    await set.start();
    await until(() => log.filter((l) => l.startsWith('all pools down')).length >= 2, 5000, 'two failed rounds');
    assert.equal(set.status().state, 'connecting');
    await a.listen(port);
    await until(() => jobs.length === 1, 5000, 'the job after the pool came up');
  } finally {
    await set.stop();
    await a.close();
  }
});

test('stratum+ssl connects over TLS and checks the pool certificate', { timeout: 15_000 }, async () => {
  const { execFileSync } = await import('node:child_process');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'hashling-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], { stdio: 'ignore' });
    const cert = readFileSync(join(dir, 'c.pem'), 'utf8');
    const server = await new TestStratumServer({ ...publicScript(), tls: { key: readFileSync(join(dir, 'k.pem'), 'utf8'), cert } }).listen();
    try {
      assert.ok(server.url.startsWith('stratum+ssl://'));
      const untrusted = new StratumConnection({ url: server.url, user: 'w', password: 'p', requestTimeoutMs: 2000 });
      await assert.rejects(untrusted.open(), /E_STRATUM|certificate|self.signed|connect/i);
      const pinned = new StratumConnection({ url: server.url, user: 'w', password: 'p', requestTimeoutMs: 2000, tlsCa: cert });
      const s = await pinned.open();
      assert.equal(s.extranonce1, GENESIS_JOB.extranonce1);
      pinned.close();
    } finally {
      await server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
