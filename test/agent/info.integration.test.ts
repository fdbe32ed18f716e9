// The compiled agent's retained `info`: the board model from sensors.sysfs_root,
// then, once online, the systeminformation details (read in a short-lived process)
// re-published under the same retained topic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpus, release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startMosquitto } from '../../harness/mosquitto.ts';
import { spawnAgent } from '../helpers/agentProcess.ts';
import { Collector } from '../helpers/collector.ts';

test('info names the fixture board, then gains OS and CPU details after online', { timeout: 60_000 }, async () => {
  const broker = await startMosquitto();
  const c = await Collector.connect(broker.url, ['hashling/inf/#']);
  const agent = spawnAgent(['--broker', broker.url, '--device-id', 'inf', '--threads', '1'], {
    HASHLING_SENSORS_SYSFS_ROOT: fileURLToPath(new URL('../fixtures/sysfs/pi4', import.meta.url)),
  });
  try {
    const first = await c.wait('hashling/inf/info', () => true, 30_000);
    assert.equal(first.json.model, 'Raspberry Pi 4 Model B Rev 1.4');
    assert.equal(first.json.os, undefined, 'details come after online');
    await c.wait('hashling/inf/status', (j) => j?.state === 'online');
    const detailed = await c.wait('hashling/inf/info', (j) => j?.os !== undefined, 30_000);
    assert.equal(detailed.json.os.kernel, release());
    assert.equal(detailed.json.cpu.cores, cpus().length);
    assert.equal(detailed.json.model, 'Raspberry Pi 4 Model B Rev 1.4');
    assert.deepEqual(detailed.json.benchmark_hps, first.json.benchmark_hps);
    const late = await Collector.connect(broker.url, ['hashling/inf/info']);
    try {
      const retained = await late.wait('hashling/inf/info');
      assert.equal(retained.retain, true);
      assert.equal(retained.json.os.kernel, release(), 'the retained info is the detailed one');
    } finally {
      await late.close();
    }
  } finally {
    agent.proc.kill('SIGTERM');
    await agent.exited;
    await c.close();
    await broker.stop();
  }
});
