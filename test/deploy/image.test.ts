// The Dockerfile, built and run: the base image it names (node:20-bookworm-slim)
// is built locally by deploy/image/build-base-image.sh (no image registry is
// reachable here; its root file system is cached in ~/.cache/hashling/images
// between runs), the project's image is built with BuildKit, and a container of
// it runs the agent as its non-root user with the host's network against a
// Mosquitto this test starts on a free loopback port, with a coordinator (demo
// source) on the host: retained `status` online, a share, and the image's own
// HEALTHCHECK reading healthy (its command as built; the interval is shortened
// with --health-interval so the test need not wait 60 s for the first check).
// Skipped, with one line, where no Docker engine can run.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startMosquitto, type Broker } from '../../harness/mosquitto.ts';
import { spawnCoordinator } from '../helpers/coordinatorProcess.ts';
import type { AgentProcess } from '../helpers/agentProcess.ts';
import { Collector } from '../helpers/collector.ts';
import { docker, dockerEngine, type Engine } from './docker.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BASE_SCRIPT = fileURLToPath(new URL('../../deploy/image/build-base-image.sh', import.meta.url));
const IMAGE = 'hashling:ci';
const engine = await dockerEngine();
const skip = 'skip' in engine ? engine.skip : false;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the Docker image, built and run', { skip, timeout: 1_200_000 }, () => {
  const name = `hashling-ci-${randomBytes(3).toString('hex')}`;
  const id = `img-${randomBytes(2).toString('hex')}`;
  let broker: Broker | undefined;
  let coordinator: AgentProcess | undefined;
  const timings: Record<string, number> = {};

  before(async () => {
    broker = await startMosquitto();
  });
  after(async () => {
    docker(['rm', '-f', '-v', name]);
    coordinator?.proc.kill('SIGTERM');
    if (coordinator) await coordinator.exited;
    await broker?.stop();
    // Old builds of the tag are dangling now; BuildKit's cache stays for the next run.
    docker(['image', 'prune', '-f']);
    docker(['builder', 'prune', '-f', '--keep-storage', '4000000000']);
    process.stdout.write(`# image test timings (s): ${JSON.stringify(timings)}\n`);
    if (!('skip' in engine)) await (engine as Engine).release();
  });

  test('the base image is built locally (or found), then the project\'s image', () => {
    let t = Date.now();
    const base = spawnSync('sh', [BASE_SCRIPT], { encoding: 'utf8', timeout: 900_000 });
    timings.base_image = (Date.now() - t) / 1000;
    assert.equal(base.status, 0, `${base.stdout}${base.stderr}`);
    t = Date.now();
    // --network host: the engine runs without a bridge; RUN steps reach Debian's mirror and the npm registry.
    // The machine's CA bundle as the `ca` build secret, for networks whose TLS is inspected (Dockerfile).
    const ca = [process.env.NODE_EXTRA_CA_CERTS, '/etc/ssl/certs/ca-certificates.crt'].find((f) => f && existsSync(f));
    const secret = ca ? ['--secret', `id=ca,src=${ca}`] : [];
    const build = docker(['build', '--network', 'host', ...secret, '--build-arg', 'REVISION=ci', '-t', IMAGE, REPO], { timeoutMs: 900_000 });
    timings.image_build = (Date.now() - t) / 1000;
    assert.ok(build.ok, build.out.slice(-4000));
    const size = Number(docker(['image', 'inspect', '--format', '{{.Size}}', IMAGE]).stdout.trim());
    timings.image_mb = Math.round(size / 1e6);
    process.stdout.write(`# ${IMAGE}: ${(size / 1e6).toFixed(0)} MB (base ${docker(['image', 'inspect', '--format', '{{.Size}}', 'node:20-bookworm-slim']).stdout.trim()} bytes)\n`);
    assert.ok(size > 0);
  });

  test('a container runs the agent as uid 10001: retained status online, a share, HEALTHCHECK healthy', async () => {
    assert.ok(broker);
    coordinator = spawnCoordinator(broker.url);
    const started = docker(['run', '-d', '--name', name, '--network', 'host', '--health-interval', '2s', IMAGE,
      'agent', '--broker', broker.url, '--device-id', id, '--threads', '1']);
    assert.ok(started.ok, started.out);
    const t = Date.now();
    const obs = await Collector.connect(broker.url, [`hashling/${id}/#`], { protocolVersion: 5 });
    try {
      await obs.wait(`hashling/${id}/status`, (j) => j?.state === 'online', 60_000).catch((err: Error) => {
        throw new Error(`${err.message}\ncontainer log:\n${docker(['logs', name]).out.slice(-3000)}`);
      });
      timings.to_online = (Date.now() - t) / 1000;
      // A new subscriber gets the status as a retained message.
      const late = await Collector.connect(broker.url, [`hashling/${id}/status`], { protocolVersion: 5 });
      const retained = await late.wait(`hashling/${id}/status`);
      await late.close();
      assert.equal(retained.retain, true);
      assert.equal(retained.json.state, 'online');
      const share = await obs.wait(`hashling/${id}/shares`, () => true, 120_000);
      timings.to_share = (Date.now() - t) / 1000;
      assert.ok(share.json, share.raw);

      assert.equal(docker(['exec', name, 'id', '-u']).stdout.trim(), '10001');
      assert.equal(docker(['inspect', '--format', '{{.Config.User}}', name]).stdout.trim(), 'hashling');
      assert.match(docker(['exec', name, 'id', '-Gn']).stdout, /\bvideo\b/);
      let health = '';
      const deadline = Date.now() + 90_000;
      while (Date.now() < deadline) {
        health = docker(['inspect', '--format', '{{.State.Health.Status}}', name]).stdout.trim();
        if (health === 'healthy' || health === 'unhealthy') break;
        await sleep(1000);
      }
      timings.to_healthy = (Date.now() - t) / 1000;
      assert.equal(health, 'healthy', docker(['inspect', '--format', '{{json .State.Health}}', name]).out);

      // docker stop: SIGTERM through tini; the agent says offline and exits 0.
      const stopped = docker(['stop', '-t', '20', name]);
      assert.ok(stopped.ok, stopped.out);
      await obs.wait(`hashling/${id}/status`, (j) => j?.state === 'offline', 20_000);
      assert.equal(docker(['inspect', '--format', '{{.State.ExitCode}}', name]).stdout.trim(), '0');
    } finally {
      await obs.close();
    }
  });
});
