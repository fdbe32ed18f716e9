// Topic names of the wire contract (docs/protocol.md). Every component builds
// topics here so a renamed level changes in one place.

export const DEVICE_TOPICS = ['status', 'info', 'state', 'telemetry', 'work', 'shares', 'results', 'events'] as const;
export type DeviceTopic = (typeof DEVICE_TOPICS)[number];

/** `<base>/<id>/<leaf>` */
export function deviceTopic(base: string, id: string, leaf: DeviceTopic | string): string {
  return `${base}/${id}/${leaf}`;
}

/** Splits `<base>/<id>/<leaf...>` back into its parts, or null when it is not under base. */
export function parseDeviceTopic(base: string, topic: string): { id: string; leaf: string } | null {
  if (!topic.startsWith(`${base}/`)) return null;
  const rest = topic.slice(base.length + 1);
  const slash = rest.indexOf('/');
  if (slash <= 0) return null;
  return { id: rest.slice(0, slash), leaf: rest.slice(slash + 1) };
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
