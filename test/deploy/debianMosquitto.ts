// Debian's own Mosquitto layout in a scratch root, and a broker started from it.
//
// The layout comes from the package itself, never from this machine's
// /etc/mosquitto (an operator may have edited that): the .deb of the installed
// version from apt's cache, else `apt-get download` of that version into
// ~/.cache/hashling/debs (kept for the next run), unpacked with dpkg-deb -x.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';

const APT_CACHE = '/var/cache/apt/archives';
const OWN_CACHE = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'hashling', 'debs');

function sh(cmd: string, args: string[], cwd?: string): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** The installed mosquitto package's .deb, or why there is none. */
export function mosquittoDeb(): { deb: string } | { skip: string } {
  const ver = sh('dpkg-query', ['-W', '-f=${Version}', 'mosquitto']);
  if (!ver.ok || ver.out.trim() === '') return { skip: 'the Debian package mosquitto is not installed here (.ci/run installs it)' };
  if (!sh('sh', ['-c', 'command -v dpkg-deb']).ok) return { skip: 'dpkg-deb is not available here' };
  // Debian encodes the epoch colon as %3a in file names.
  const file = `mosquitto_${ver.out.trim().replace(/:/g, '%3a')}_`;
  for (const dir of [APT_CACHE, OWN_CACHE]) {
    const hit = existsSync(dir) ? readdirSync(dir).find((f) => f.startsWith(file) && f.endsWith('.deb')) : undefined;
    if (hit) return { deb: join(dir, hit) };
  }
  mkdirSync(OWN_CACHE, { recursive: true });
  const dl = sh('apt-get', ['download', `mosquitto=${ver.out.trim()}`], OWN_CACHE);
  const got = readdirSync(OWN_CACHE).find((f) => f.startsWith(file) && f.endsWith('.deb'));
  if (!got) return { skip: `no mosquitto ${ver.out.trim()} .deb in ${APT_CACHE} and apt-get download failed: ${dl.out.trim().split('\n').pop()}` };
  return { deb: join(OWN_CACHE, got) };
}

/** Unpacks the package into root (its /etc/mosquitto is then Debian's stock layout). */
export function unpack(deb: string, root: string): void {
  const r = sh('dpkg-deb', ['-x', deb, root]);
  if (!r.ok) throw new Error(`dpkg-deb -x ${deb}: ${r.out}`);
}

const isRoot = process.getuid?.() === 0;
function brokerUid(): number | undefined {
  const r = sh('id', ['-u', 'mosquitto']);
  return isRoot && r.ok ? Number(r.out.trim()) : undefined;
}

/**
 * What booting the scratch root as `/` would do: the absolute paths in Debian's
 * main file point into root (the kit's own files already do, via --root), and
 * the run, state and log directories exist, owned by mosquitto when we are root
 * (Debian's postinst and mosquitto.service's ExecStartPre lines do that, and
 * Mosquitto drops to that user before it opens them).
 */
export function bootable(root: string): string {
  const conf = join(root, 'etc/mosquitto/mosquitto.conf');
  const text = readFileSync(conf, 'utf8').replace(/(^|\s)\/(etc|run|var\/lib|var\/log)\/mosquitto/gm, (_m, pre: string, dir: string) => `${pre}${root}/${dir}/mosquitto`);
  writeFileSync(conf, text);
  const uid = brokerUid();
  chmodSync(root, 0o755);
  for (const dir of ['run/mosquitto', 'var/lib/mosquitto', 'var/log/mosquitto']) {
    mkdirSync(join(root, dir), { recursive: true });
    if (uid !== undefined) chownSync(join(root, dir), uid, -1);
  }
  return conf;
}

export interface RootBroker {
  url: string;
  log(): string;
  reload(): void;
  stop(): Promise<void>;
}

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/** Starts `mosquitto -c conf` (the scratch root's main file) and waits for its port. */
export async function startBroker(root: string, conf: string, port: number, scheme: 'mqtt' | 'mqtts'): Promise<RootBroker> {
  const logFile = join(root, 'var/log/mosquitto/mosquitto.log');
  let out = '';
  const proc: ChildProcess = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { out += d; });
  const log = () => `${out}${existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''}`;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const deadline = Date.now() + 5000;
  while (!(await listening(port))) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`mosquitto -c ${conf} did not listen on ${port}:\n${log()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    log,
    reload: () => { proc.kill('SIGHUP'); },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}
