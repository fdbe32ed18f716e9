// Starts a private Mosquitto broker for tests and benches: its own config, a free
// loopback port, its own process. Never relies on a broker someone else started.
// (harness/ holds the real parts that tests and benches run beside the product.)
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Broker {
  port: number;
  url: string;
  dir: string;
  /** Mosquitto's stderr/stdout so far, for failure messages. */
  log(): string;
  stop(): Promise<void>;
  /** Kill the broker process (SIGKILL) without cleaning up, to test outages. */
  kill(): Promise<void>;
  /** Stop the broker process with SIGTERM (it saves its persistence file) without cleaning up. */
  terminate(): Promise<void>;
  /** Start again on the same port after kill()/stop(). */
  restart(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`mosquitto did not listen on ${port} within ${ms} ms`);
}

export interface BrokerOptions {
  /** Extra mosquitto.conf lines (ACLs, auth); default allows anonymous clients. */
  extraConfig?: string;
  /** Replace the default listener/auth lines entirely. */
  config?: (port: number, dir: string) => string;
  /** Keep sessions and queued messages across terminate()/restart(). */
  persistence?: boolean;
}

export async function startMosquitto(opts: BrokerOptions = {}): Promise<Broker> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'hashling-mosq-'));
  const conf = join(dir, 'mosquitto.conf');
  const body = opts.config
    ? opts.config(port, dir)
    : `listener ${port} 127.0.0.1\nallow_anonymous true\n${opts.extraConfig ?? ''}`;
  const persist = opts.persistence ? `persistence true\npersistence_location ${dir}/\n` : 'persistence false\n';
  // Started as root, Mosquitto drops to its own user before it saves: without
  // this it cannot write mosquitto.db into a root-owned 0700 temporary directory,
  // logs "Permission denied" and restarts with no sessions at all.
  if (opts.persistence) chmodSync(dir, 0o777);
  writeFileSync(conf, `${persist}log_dest stderr\nlog_type error\nlog_type warning\n${body}\n`);
  let proc: ChildProcess | undefined;
  let output = '';
  const launch = async () => {
    proc = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout!.on('data', (d) => { output += d; });
    proc.stderr!.on('data', (d) => { output += d; });
    await waitForPort(port, 5000).catch((err) => {
      throw new Error(`${(err as Error).message}\n${output}`);
    });
  };
  const exited = () =>
    new Promise<void>((resolve) => {
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once('exit', () => resolve());
    });
  // A test that kills a persistent broker relies on the sessions it saved: a
  // broker that could not save fails the test here, not later as a lost message.
  const checkSaved = () => {
    if (!opts.persistence) return;
    const failed = /Error saving in-memory database[^\n]*\n?[^\n]*/.exec(output);
    if (failed) throw new Error(`mosquitto could not save its persistence file: ${failed[0]}`);
    if (!existsSync(join(dir, 'mosquitto.db'))) throw new Error(`mosquitto wrote no persistence file into ${dir} before it stopped`);
  };
  await launch();
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    dir,
    log: () => output,
    async kill() {
      proc?.kill('SIGKILL');
      await exited();
      checkSaved();
    },
    async terminate() {
      proc?.kill('SIGTERM');
      await exited();
      checkSaved();
    },
    async restart() {
      await launch();
    },
    async stop() {
      proc?.kill('SIGTERM');
      await exited();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
