// `npm run test:node` / `npm run test:arm`: the compiled product on the Node
// versions and CPU architectures devices have. For each target (arch@version):
//   1. `hashling selftest`: every kernel against its golden vectors;
//   2. `hashling bench --all --checksums`: every kernel's checksum equals the one
//      this machine's Node computes (x64);
//   3. the genesis unit: `hashling agent` against a private Mosquitto finds nonce
//      2083236893 of Bitcoin block 0 in a unit around it with exact counts (one
//      share with the block hash, result done with every nonce hashed; 40,000
//      nonces natively, 20,000 under emulation), then stops cleanly on SIGTERM.
// x64 builds run directly, arm64 and armv7l under qemu-user-static (binfmt not
// needed). Binaries come from the npm registry (test/platform/nodeBuilds.ts), cached.
//
//   node --import tsx test/platform/nodeCheck.ts [--matrix] [--arm] [--targets x64@18.19.0,arm64@22.23.5] [--json]
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Collector } from '../helpers/collector.ts';
import { coolSysfs } from '../helpers/coolSysfs.ts';
import { startMosquitto, type Broker } from '../../harness/mosquitto.ts';
import { GENESIS } from '../fixtures/chain.ts';
import { ensureNode, runner, type NodeArch } from './nodeBuilds.ts';

const BIN = fileURLToPath(new URL('../../bin/hashling.js', import.meta.url));

/** One build per supported major: the oldest we support (18.19), the last armv7l build (20.11, before crypto.hash), current LTS lines. */
export const MATRIX = ['x64@18.19.0', 'x64@20.11.0', 'x64@22.23.5', 'x64@24.22.3'];
/**
 * What Pi owners run, per ARM architecture: Pi OS bookworm's Node 18 (armv7l) and
 * the newest builds. arm64 with Node 18 passes too (docs/footprint.md) but takes
 * ~6 minutes under emulation (V8 18 on qemu-aarch64), so CI leaves it to
 * `--targets arm64@18.20.8`; Node 18 itself is covered on x64 and armv7l.
 */
export const ARM = ['arm64@22.23.5', 'armv7l@18.20.4', 'armv7l@20.11.0'];

interface Step { ok: boolean; detail: string; seconds: number }
interface TargetResult { target: string; node: string | null; selftest?: Step; checksums?: Step; genesis?: Step; skipped?: string }

function run(cmd: string[], timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd[0]!, cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.once('exit', (code) => { clearTimeout(t); resolve({ code, out }); });
  });
}

async function timed(f: () => Promise<{ ok: boolean; detail: string }>): Promise<Step> {
  const t0 = performance.now();
  const r = await f().catch((err: Error) => ({ ok: false, detail: err.message }));
  return { ...r, seconds: Math.round((performance.now() - t0) / 100) / 10 };
}

function checksumLines(out: string): Record<string, string> {
  const sums: Record<string, string> = {};
  for (const line of out.split('\n')) {
    try {
      const j = JSON.parse(line) as { algo?: string; kernel?: string; checksum?: string | null };
      if (j.algo && !j.kernel && j.checksum) sums[j.algo] = j.checksum;
    } catch {
      // not a JSON line
    }
  }
  return sums;
}

/** The genesis unit through a real broker; exact counts. */
async function genesisUnit(cmd: string[], broker: Broker, sysfsRoot: string, id: string, slow: boolean): Promise<{ ok: boolean; detail: string }> {
  const c = await Collector.connect(broker.url, [`hashling/${id}/#`]);
  const env = { ...process.env, HASHLING_SENSORS_SYSFS_ROOT: sysfsRoot, HASHLING_BUDGET_RAMP_UP_PER_S: '100' };
  const agent = spawn(cmd[0]!, [...cmd.slice(1), BIN, 'agent', '--broker', broker.url, '--device-id', id, '--threads', '2'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  agent.stdout.on('data', (d) => { log += d; });
  agent.stderr.on('data', (d) => { log += d; });
  const exited = new Promise<number | null>((r) => agent.once('exit', (code) => r(code)));
  const scale = slow ? 10 : 1;
  const UNIT_SIZE = slow ? 20_000 : 40_000;
  try {
    await c.wait(`hashling/${id}/status`, (j) => j?.state === 'online', 30_000 * scale);
    const start = GENESIS.nonce - UNIT_SIZE / 2;
    const header = GENESIS.header_hex.slice(0, 152) + '00000000';
    await c.publish(`hashling/${id}/work`, JSON.stringify({
      v: 1, unit_id: `${id}-genesis`, job_id: 'genesis', algo: 'sha256d', header, target: GENESIS.target, nonce_start: start, nonce_end: start + UNIT_SIZE - 1,
    }));
    const result = (await c.wait(`hashling/${id}/results`, (j) => j?.unit_id === `${id}-genesis`, 30_000 * scale)).json;
    const shares = c.on(`hashling/${id}/shares`).map((m) => m.json);
    const problems: string[] = [];
    if (result.status !== 'done') problems.push(`result status ${result.status}`);
    if (result.hashes !== UNIT_SIZE) problems.push(`result hashes ${result.hashes}, want ${UNIT_SIZE}`);
    if (result.shares !== 1) problems.push(`result shares ${result.shares}, want 1`);
    if (shares.length !== 1 || shares[0].nonce !== GENESIS.nonce || shares[0].hash !== GENESIS.block_hash) {
      problems.push(`shares ${JSON.stringify(shares.map((s) => [s.nonce, s.hash]))}, want [[${GENESIS.nonce},"${GENESIS.block_hash}"]]`);
    }
    agent.kill('SIGTERM');
    // A clean stop publishes `offline` (not the broker's `lost`). Natively the
    // process then exits 0; under emulation tearing down V8's threads can outlast
    // the agent's 5 s exit deadline on a loaded machine, so only the stop counts.
    await c.wait(`hashling/${id}/status`, (j) => j?.state === 'offline', 15_000 * scale).catch(() => problems.push('no `offline` status after SIGTERM'));
    const code = await exited;
    if (code !== 0 && !slow) problems.push(`agent exited with ${code} after SIGTERM`);
    return problems.length === 0
      ? { ok: true, detail: `nonce ${GENESIS.nonce}, hash ${GENESIS.block_hash.slice(0, 16)}…, ${UNIT_SIZE} hashes in ${result.elapsed_ms} ms, offline on SIGTERM, exit ${code}` }
      : { ok: false, detail: `${problems.join('; ')}\n${log.slice(-2000)}` };
  } catch (err) {
    return { ok: false, detail: `${(err as Error).message}\n${log.slice(-2000)}` };
  } finally {
    if (agent.exitCode === null) agent.kill('SIGKILL');
    await c.close();
  }
}

async function checkTarget(target: string, broker: Broker, sysfsRoot: string, reference: Record<string, string>): Promise<TargetResult> {
  const [arch, version] = target.split('@') as [NodeArch, string];
  let bin: string;
  try {
    bin = ensureNode(arch, version);
  } catch (err) {
    return { target, node: null, skipped: undefined, selftest: { ok: false, detail: `cannot fetch node-linux-${arch}@${version}: ${(err as Error).message}`, seconds: 0 } };
  }
  const how = runner(arch, bin);
  if ('missing' in how) return { target, node: null, selftest: { ok: false, detail: how.missing, seconds: 0 } };
  const slow = arch !== 'x64';
  const scale = slow ? 10 : 1;
  const r: TargetResult = { target, node: (await run([...how.cmd, '-v'], 60_000)).out.trim() };
  r.selftest = await timed(async () => {
    const { code, out } = await run([...how.cmd, BIN, 'selftest'], 60_000 * scale);
    const line = out.trim().split('\n').at(-1) ?? '';
    return { ok: code === 0 && /^\d+ passed, 0 failed$/.test(line), detail: code === 0 ? line : out.slice(-2000) };
  });
  r.checksums = await timed(async () => {
    const { code, out } = await run([...how.cmd, BIN, 'bench', '--all', '--checksums', '--json'], 60_000 * scale);
    const sums = checksumLines(out);
    const differ = Object.keys(reference).filter((a) => sums[a] !== reference[a]);
    return { ok: code === 0 && differ.length === 0, detail: differ.length === 0 ? `${Object.keys(sums).join(', ')} agree with x64` : `differ from x64: ${differ.join(', ')}\n${out.slice(-1500)}` };
  });
  r.genesis = await timed(() => genesisUnit(how.cmd, broker, sysfsRoot, `nc-${arch}-${version.replace(/\./g, '-')}`, slow));
  return r;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const json = argv.includes('--json');
  const i = argv.indexOf('--targets');
  const targets = i >= 0 ? argv[i + 1]!.split(',') : [...(argv.includes('--matrix') ? MATRIX : []), ...(argv.includes('--arm') ? ARM : [])];
  if (targets.length === 0) throw new Error('name targets: --matrix, --arm or --targets arch@version,…');
  const say = (line: string) => process.stdout.write(`${line}\n`);
  // This machine's checksums (x64, the Node running this script) are the reference.
  const ref = await run([process.execPath, BIN, 'bench', '--all', '--checksums', '--json'], 120_000);
  const reference = checksumLines(ref.out);
  if (ref.code !== 0 || Object.keys(reference).length === 0) throw new Error(`reference checksums failed:\n${ref.out}`);
  const broker = await startMosquitto();
  const sysfs = coolSysfs();
  const results: TargetResult[] = [];
  let passed = 0;
  let failed = 0;
  try {
    for (const t of targets) {
      const r = await checkTarget(t, broker, sysfs.root, reference);
      results.push(r);
      for (const [name, step] of [['selftest', r.selftest], ['checksums', r.checksums], ['genesis unit', r.genesis]] as const) {
        if (!step) continue;
        if (step.ok) passed++;
        else failed++;
        if (!json) say(`${step.ok ? 'ok  ' : 'FAIL'} ${t.padEnd(16)} ${(r.node ?? '').padEnd(9)} ${name.padEnd(13)} ${String(step.seconds).padStart(6)} s  ${step.ok ? step.detail : step.detail.split('\n').join('\n     ')}`);
      }
    }
  } finally {
    await broker.stop();
    rmSync(sysfs.root, { recursive: true, force: true });
  }
  if (json) say(JSON.stringify({ reference, results }));
  say(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

await main();
