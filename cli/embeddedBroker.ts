// The demo's embedded MQTT broker (aedes: pure JavaScript, no system service).
// aedes speaks MQTT 3.1.1 only, so clients of the demo use protocol version 4.
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { HashlingError } from '../protocol/errors.ts';

export interface EmbeddedBroker {
  url: string;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(port: number, host = '127.0.0.1'): Promise<EmbeddedBroker> {
  const aedes = await Aedes.createBroker();
  const server: Server = createServer(aedes.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      aedes.close();
      reject(
        err.code === 'EADDRINUSE'
          ? new HashlingError('E_CONFIG', `port ${port} on ${host} is taken; pick another with --port N or HASHLING_DEMO_PORT`)
          : err,
      );
    });
    server.listen(port, host, () => resolve());
  });
  return {
    url: `mqtt://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        aedes.close(() => server.close(() => resolve()));
      }),
  };
}
