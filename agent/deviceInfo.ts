// Facts about the device for the retained `info` topic. The basic ones (platform,
// architecture, board model, cores, memory) come from node:os and the device tree
// at start; the details (maker and model, OS release, CPU identity) come from
// systeminformation once the device is online: its calls spawn processes
// (dmidecode, lsb_release, …) and take ~1 s, so it is loaded then, once, and never
// on the hashing path.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { arch, availableParallelism, cpus, platform, totalmem } from 'node:os';
import type { Systeminformation } from 'systeminformation';

export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * Board model: the device-tree model under the sysfs root (a Pi or another ARM
 * board; sensors.sysfs_root points it at a fixture tree in tests), else the CPU model.
 */
export function deviceModel(sysfsRoot = '/sys'): string {
  try {
    const m = readFileSync(join(sysfsRoot, 'firmware/devicetree/base/model'), 'utf8').replace(/\u0000/g, '').trim();
    if (m) return m;
  } catch {
    // not a device-tree board
  }
  return cpus()[0]?.model?.trim() || 'unknown';
}

export function hostFacts(sysfsRoot?: string): { platform: string; arch: string; model: string; cores: number; mem_mb: number } {
  return { platform: platform(), arch: arch(), model: deviceModel(sysfsRoot), cores: availableParallelism(), mem_mb: Math.round(totalmem() / 2 ** 20) };
}

/** The `info` fields systeminformation adds; absent values are left out. */
export interface HostDetails {
  device?: { manufacturer?: string; model?: string; revision?: string; virtual?: boolean };
  os?: { distro?: string; release?: string; codename?: string; kernel?: string };
  cpu?: { manufacturer?: string; brand?: string; cores?: number; physical_cores?: number; max_ghz?: number };
  mem_total_mb?: number;
}

type Sys = Pick<Systeminformation.SystemData, 'manufacturer' | 'model' | 'version' | 'virtual'> & { raspberry?: { type?: string; revision?: string } };
type Os = Pick<Systeminformation.OsData, 'distro' | 'release' | 'codename' | 'kernel'>;
type Cpu = Pick<Systeminformation.CpuData, 'manufacturer' | 'brand' | 'cores' | 'physicalCores' | 'speedMax'>;
type Mem = Pick<Systeminformation.MemData, 'total'>;

const text = (s: string | undefined): string | undefined => (s && s.trim() && s.trim() !== '-' ? s.trim() : undefined);
const count = (n: number | undefined): number | undefined => (typeof n === 'number' && n > 0 ? n : undefined);

function prune<T extends object>(o: T): T | undefined {
  const kept = Object.entries(o).filter(([, v]) => v !== undefined);
  return kept.length ? (Object.fromEntries(kept) as T) : undefined;
}

/**
 * systeminformation's answers as `info` fields. Never the serial number, UUID or
 * host name: `info` is retained and every broker user may read it.
 */
export function hostDetailsFrom(sys: Sys, os: Os, cpu: Cpu, mem: Mem): HostDetails {
  const pi = sys.raspberry;
  const details: HostDetails = {
    device: prune({
      manufacturer: text(sys.manufacturer) ?? (pi ? 'Raspberry Pi' : undefined),
      model: text(sys.model) ?? text(pi?.type),
      revision: text(pi?.revision) ?? text(sys.version),
      virtual: sys.virtual ? true : undefined,
    }),
    os: prune({ distro: text(os.distro), release: text(os.release), codename: text(os.codename), kernel: text(os.kernel) }),
    cpu: prune({
      manufacturer: text(cpu.manufacturer), brand: text(cpu.brand), cores: count(cpu.cores), physical_cores: count(cpu.physicalCores),
      max_ghz: count(cpu.speedMax),
    }),
    mem_total_mb: count(Math.round(mem.total / 2 ** 20)),
  };
  return prune(details) ?? {};
}

/** Loads systeminformation (once: later calls reuse the module) and reads the details. */
export async function readHostDetails(): Promise<HostDetails> {
  const si = (await import('systeminformation')).default;
  const [sys, os, cpu, mem] = await Promise.all([si.system(), si.osInfo(), si.cpu(), si.mem()]);
  return hostDetailsFrom(sys, os, cpu, mem);
}
