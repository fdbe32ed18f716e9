// The one configuration schema: validation, defaults, env vars, CLI flags, the
// README's config table, `hashling config schema`, the remote-write whitelist
// and the TypeScript type of the config all come from here. Each section is
// declared in its own file; adding a key is a change to that file only.
import { broker } from './broker.ts';
import { budget } from './budget.ts';
import { commands } from './commands.ts';
import { configSection } from './configWrite.ts';
import { coordinator } from './coordinator.ts';
import { demo } from './demo.ts';
import { device } from './device.ts';
import { discovery } from './discovery.ts';
import { economics } from './economics.ts';
import { hashing } from './hashing.ts';
import { health } from './health.ts';
import { mqtt } from './mqtt.ts';
import { sensors } from './sensors.ts';
import type { AnyKeySpec, SectionValues } from './spec.ts';
import { telemetry } from './telemetry.ts';
import { work } from './work.ts';

/** Every section, in the order the README lists them. */
export const SECTIONS = { device, broker, mqtt, hashing, telemetry, demo, budget, sensors, work, coordinator, commands, config: configSection, discovery, health, economics };

export type Sections = typeof SECTIONS;
export type SectionName = keyof Sections;
/** The effective config: deep-frozen, every value typed by its key's format. */
export type HashlingConfig = { readonly [S in SectionName]: SectionValues<Sections[S]> };

export type BrokerConfig = HashlingConfig['broker'];
export type BudgetConfig = HashlingConfig['budget'];
export type SensorsConfig = HashlingConfig['sensors'];
export type CoordinatorConfig = HashlingConfig['coordinator'];
export type HealthConfig = HashlingConfig['health'];
export type CommandsConfig = HashlingConfig['commands'];
export type DiscoveryConfig = HashlingConfig['discovery'];
export type EconomicsConfig = HashlingConfig['economics'];

/** HASHLING_<SECTION>_<KEY>, the env var of a key. */
export function envName(section: string, key: string): string {
  return `HASHLING_${section}_${key}`.toUpperCase();
}

/** The spec of "section.key", or null when there is no such key. */
export function keySpec(path: string): AnyKeySpec | null {
  const [s, k, extra] = path.split('.');
  if (extra !== undefined || k === undefined || !Object.hasOwn(SECTIONS, s)) return null;
  const section = SECTIONS[s as SectionName] as Record<string, AnyKeySpec>;
  return Object.hasOwn(section, k) ? section[k] : null;
}

/** Every key as [section, key, spec], in schema order. */
export function allKeys(): [SectionName, string, AnyKeySpec][] {
  return (Object.entries(SECTIONS) as [SectionName, Record<string, AnyKeySpec>][])
    .flatMap(([s, keys]) => Object.entries(keys).map(([k, spec]) => [s, k, spec] as [SectionName, string, AnyKeySpec]));
}
