// Static facts about the device for the retained `info` topic.
import { readFileSync } from 'node:fs';
import { arch, availableParallelism, cpus, platform, totalmem } from 'node:os';

export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Board model: the device-tree model on a Pi/ARM board, else the CPU model. */
export function deviceModel(sysfsRoot = '/sys'): string {
  for (const path of [`${sysfsRoot}/firmware/devicetree/base/model`, '/proc/device-tree/model']) {
    try {
      const m = readFileSync(path, 'utf8').replace(/\u0000/g, '').trim();
      if (m) return m;
    } catch {
      // not a device-tree board
    }
  }
  return cpus()[0]?.model?.trim() || 'unknown';
}

export function hostFacts(sysfsRoot?: string): { platform: string; arch: string; model: string; cores: number; mem_mb: number } {
  return { platform: platform(), arch: arch(), model: deviceModel(sysfsRoot), cores: availableParallelism(), mem_mb: Math.round(totalmem() / 2 ** 20) };
}
