// Topic names of the wire contract (docs/protocol.md). Every component (agent,
// coordinator, fleet CLI, simulator) builds and parses topics here, so a renamed
// level changes in one place.
import { DEVICE_ID_RE, RESERVED_IDS } from '../config/formats.ts';

export const DEVICE_TOPICS = ['status', 'info', 'state', 'telemetry', 'work', 'shares', 'results', 'events', 'acks'] as const;
export type DeviceTopic = (typeof DEVICE_TOPICS)[number];

/** The coordinator's own topic level: `<base>/coordinator/status|stats`. */
export const COORDINATOR_ID = 'coordinator';

/** `<base>/<id>/<leaf>` */
export function deviceTopic(base: string, id: string, leaf: DeviceTopic | string): string {
  return `${base}/${id}/${leaf}`;
}

/** `<base>/+/<leaf>`: one leaf of every device. */
export function everyDevice(base: string, leaf: DeviceTopic): string {
  return `${base}/+/${leaf}`;
}

/** Splits `<base>/<id>/<leaf...>` back into its parts, or null when it is not under base. */
export function parseDeviceTopic(base: string, topic: string): { id: string; leaf: string } | null {
  if (!topic.startsWith(`${base}/`)) return null;
  const rest = topic.slice(base.length + 1);
  const slash = rest.indexOf('/');
  if (slash <= 0) return null;
  return { id: rest.slice(0, slash), leaf: rest.slice(slash + 1) };
}

/** True for a topic level that names a device (not all/group/coordinator, a valid id). */
export function isDeviceId(id: string): boolean {
  return DEVICE_ID_RE.test(id) && !(RESERVED_IDS as readonly string[]).includes(id);
}

// --- commands (docs/protocol.md, "Commands") ---

/** Who a command is for: one device, a group (device.groups), or every device. */
export type CommandTarget = { kind: 'device'; id: string } | { kind: 'group'; group: string } | { kind: 'all' };

/** `<base>/<id>/cmd/<verb>`, `<base>/group/<g>/cmd/<verb>` or `<base>/all/cmd/<verb>`. */
export function commandTopic(base: string, target: CommandTarget, verb: string): string {
  if (target.kind === 'all') return `${base}/all/cmd/${verb}`;
  if (target.kind === 'group') return `${base}/group/${target.group}/cmd/${verb}`;
  return `${base}/${target.id}/cmd/${verb}`;
}

/** `<base>/<id>/res/<verb>`: where a device answers. */
export function responseTopic(base: string, id: string, verb: string): string {
  return `${base}/${id}/res/${verb}`;
}

/** `<base>/+/res/<verb>`: every device's answer to one verb. */
export function everyResponse(base: string, verb: string): string {
  return `${base}/+/res/${verb}`;
}

/** The subscriptions a device needs: its own, each of its groups', and the fleet's. */
export function commandFilters(base: string, id: string, groups: readonly string[]): string[] {
  return [`${base}/${id}/cmd/#`, ...groups.map((g) => `${base}/group/${g}/cmd/#`), `${base}/all/cmd/#`];
}

/**
 * A command topic addressed to this device (its id, one of its groups, or all) →
 * the verb (which may contain "/", e.g. budget/set) and the target; null otherwise.
 */
export function parseCommandTopic(base: string, id: string, groups: readonly string[], topic: string): { verb: string; target: CommandTarget } | null {
  if (!topic.startsWith(`${base}/`)) return null;
  const parts = topic.slice(base.length + 1).split('/');
  let target: CommandTarget;
  let rest: string[];
  if (parts[0] === id && parts[1] === 'cmd') { target = { kind: 'device', id }; rest = parts.slice(2); }
  else if (parts[0] === 'all' && parts[1] === 'cmd') { target = { kind: 'all' }; rest = parts.slice(2); }
  else if (parts[0] === 'group' && parts[2] === 'cmd' && groups.includes(parts[1])) { target = { kind: 'group', group: parts[1] }; rest = parts.slice(3); }
  else return null;
  if (rest.length === 0 || rest.some((p) => p === '')) return null;
  return { verb: rest.join('/'), target };
}

/** `pi-01`, `group:kitchen` or `all` (the fleet CLI's spelling of a target). */
export function parseTarget(raw: string): CommandTarget {
  if (raw === 'all') return { kind: 'all' };
  if (raw.startsWith('group:')) {
    const group = raw.slice('group:'.length);
    if (!DEVICE_ID_RE.test(group)) throw new Error(`bad group name "${group}"`);
    return { kind: 'group', group };
  }
  if (!isDeviceId(raw)) throw new Error(`bad target "${raw}": a device id, group:<name> or all`);
  return { kind: 'device', id: raw };
}

// --- economics (docs/protocol.md, "Economics") ---

/** `<base>/market/<coin>/price`: a coin's price, retained, that anything may publish (a script, a Home Assistant automation). */
export function marketPriceTopic(base: string, coin: string): string {
  return `${base}/market/${coin}/price`;
}

/** `<base>/coordinator/economics`: the coordinator's retained earnings and energy figures. */
export function economicsTopic(base: string): string {
  return `${base}/${COORDINATOR_ID}/economics`;
}

/** `<base>/coordinator/economics/decision`: each profit-control decision, with its numbers. */
export function economicsDecisionTopic(base: string): string {
  return `${base}/${COORDINATOR_ID}/economics/decision`;
}

/**
 * `<base>/coordinator/economics/held/<id>`: retained while profit control holds a
 * device (paused or lowered), cleared when it gives it back. One small topic per
 * device, so a restarted coordinator reads them whatever the fleet's size (its
 * link accepts packets of 64 KiB at most; the economics message grows with the fleet).
 */
export function economicsHeldTopic(base: string, id: string): string {
  return `${base}/${COORDINATOR_ID}/economics/held/${id}`;
}

/** The device id of an economics/held topic, or null when the topic is not one. */
export function parseEconomicsHeldTopic(base: string, topic: string): string | null {
  const prefix = `${base}/${COORDINATOR_ID}/economics/held/`;
  if (!topic.startsWith(prefix)) return null;
  const id = topic.slice(prefix.length);
  return isDeviceId(id) ? id : null;
}

/** `<base>/coordinator/treasury/signal`: the configured sell policy's signal, retained. */
export function treasurySignalTopic(base: string): string {
  return `${base}/${COORDINATOR_ID}/treasury/signal`;
}

// --- Home Assistant (MQTT device discovery) ---

/** `<prefix>/device/<id>/config`: one retained discovery message per device. */
export function haDiscoveryTopic(prefix: string, id: string): string {
  return `${prefix}/device/${id}/config`;
}

/** `<prefix>/status`: Home Assistant's birth and last-will topic. */
export function haStatusTopic(prefix: string): string {
  return `${prefix}/status`;
}

/** MQTT topic-filter match with + and # (MQTT 5.0 §4.7). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}
