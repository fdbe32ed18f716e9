import { test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { startMosquitto } from '../../harness/mosquitto.ts';

test('the harness broker relays a message between two clients on its own port', async () => {
  const broker = await startMosquitto();
  try {
    assert.notEqual(broker.port, 1883);
    const a = await mqtt.connectAsync(broker.url);
    const b = await mqtt.connectAsync(broker.url);
    await b.subscribeAsync('t/x');
    const got = new Promise<string>((resolve) => b.on('message', (_t, p) => resolve(p.toString())));
    await a.publishAsync('t/x', 'hello');
    assert.equal(await got, 'hello');
    await a.endAsync();
    await b.endAsync();
  } finally {
    await broker.stop();
  }
});
