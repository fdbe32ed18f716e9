// Sections for fleet management over MQTT (issue 6): the command rate limit,
// remote config writes, identify, and Home Assistant discovery.
import type { SectionSpec } from './schema.ts';

function positive(val: unknown): void {
  if (typeof val !== 'number' || !Number.isFinite(val) || val <= 0) throw new Error('must be a number > 0');
}
function discoveryPrefix(val: unknown): void {
  if (typeof val !== 'string' || val === '' || /[#+\u0000]/.test(val) || val.startsWith('/') || val.endsWith('/')) {
    throw new Error('must be a non-empty topic prefix without wildcards or leading/trailing "/"');
  }
}

export const commands: SectionSpec = {
  rate_per_min: { doc: 'Commands a device accepts per minute (token bucket refill); beyond it they are answered E_RATE_LIMITED.', format: positive, default: 60 },
  burst: { doc: 'Commands a device accepts back to back before the per-minute rate applies (token bucket size).', format: 'positive-int', default: 10 },
  identify_s: { doc: 'How long the identify command blinks the ACT LED (s).', format: positive, default: 10 },
};

export const configSection: SectionSpec = {
  writable: { doc: 'Persist config/set changes to the config file (--config / HASHLING_CONFIG), atomically (temp file + rename). Off: changes live until restart only.', format: Boolean, default: false },
};

export const discovery: SectionSpec = {
  homeassistant: { doc: 'Publish Home Assistant MQTT device discovery (retained <prefix>/device/<id>/config) and re-publish it when <prefix>/status is online.', format: Boolean, default: true },
  prefix: { doc: 'Home Assistant discovery prefix.', format: discoveryPrefix, default: 'homeassistant' },
};

/** Typed views of the sections above. */
export interface CommandsConfig { rate_per_min: number; burst: number; identify_s: number }
export interface ConfigWriteConfig { writable: boolean }
export interface DiscoveryConfig { homeassistant: boolean; prefix: string }
