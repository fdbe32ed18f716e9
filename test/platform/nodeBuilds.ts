// Node.js binaries for other versions and architectures, from the npm registry's
// node-linux-<arch> packages (the official builds, repackaged), fetched with
// `npm pack` into a cache outside the repository (~/.cache/hashling, or
// $HASHLING_CACHE_DIR) and reused by later runs.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export type NodeArch = 'x64' | 'arm64' | 'armv7l';

export const CACHE_DIR = process.env.HASHLING_CACHE_DIR || join(homedir(), '.cache', 'hashling');

/** How an architecture runs here: directly, or under Debian's qemu-user-static with its cross libc as sysroot. */
export const EMULATION: Record<NodeArch, { qemu: string; sysroot: string; loader: string; apt: string[] } | null> = {
  x64: null,
  arm64: {
    qemu: 'qemu-aarch64-static', sysroot: '/usr/aarch64-linux-gnu', loader: 'lib/ld-linux-aarch64.so.1',
    apt: ['qemu-user-static', 'libc6-arm64-cross', 'libstdc++6-arm64-cross', 'libatomic1-arm64-cross'],
  },
  armv7l: {
    qemu: 'qemu-arm-static', sysroot: '/usr/arm-linux-gnueabihf', loader: 'lib/ld-linux-armhf.so.3',
    apt: ['qemu-user-static', 'libc6-armhf-cross', 'libstdc++6-armhf-cross', 'libatomic1-armhf-cross'],
  },
};

/** Path of the node binary for arch@version, fetching it on first use. */
export function ensureNode(arch: NodeArch, version: string): string {
  const dir = join(CACHE_DIR, 'node', `linux-${arch}-${version}`);
  const bin = join(dir, 'node');
  if (existsSync(bin)) return bin;
  const packs = join(CACHE_DIR, 'npm');
  mkdirSync(packs, { recursive: true });
  const tgz = join(packs, `node-linux-${arch}-${version}.tgz`);
  if (!existsSync(tgz)) {
    execFileSync('npm', ['pack', `node-linux-${arch}@${version}`, '--pack-destination', packs, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  execFileSync('tar', ['-xzf', tgz, '-C', tmp, '--strip-components=2', 'package/bin/node']);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return bin;
}

/** The command prefix that runs `bin` (a node binary) here, or why it cannot. */
export function runner(arch: NodeArch, bin: string): { cmd: string[] } | { missing: string } {
  const emu = EMULATION[arch];
  if (!emu) return { cmd: [bin] };
  if (!existsSync(join(emu.sysroot, emu.loader))) return { missing: `no ${arch} sysroot at ${emu.sysroot} (apt-get install ${emu.apt.join(' ')})` };
  try {
    execFileSync(emu.qemu, ['--version'], { stdio: 'ignore' });
  } catch {
    return { missing: `${emu.qemu} not found (apt-get install qemu-user-static)` };
  }
  // Called directly with -L: binfmt_misc is often unavailable in containers.
  return { cmd: [emu.qemu, '-L', emu.sysroot, bin] };
}
