// The operator's view of a fleet, built only from what devices publish: retained
// status/info/state, live telemetry, and any other message as a sign of life.
// Pure: feed it messages with their arrival time, read rows.
import { isRecord } from '../protocol/json.ts';
import { parseStatus } from '../protocol/payloads.ts';
import { deviceTopic, haDiscoveryTopic, isDeviceId, parseDeviceTopic } from '../protocol/topics.ts';
import { formatAge, formatRate, formatTable } from './format.ts';

export { formatAge, formatRate, formatTable } from './format.ts';

export interface DeviceRow {
  id: string;
  /** online/offline/lost from status; while online, the mode from state. */
  state: string;
  hashrate_hps: number | null;
  temp_c: number | null;
  power_w: number | null;
  shares: number | null;
  /** The latest message of any kind from this device (arrival time of live messages, `ts` of retained ones). */
  last_seen_ms: number | null;
  /** When its status says it went offline/lost (the status `ts`), for `fleet forget --offline-for`. */
  status_ts: number | null;
  version: string | null;
  groups: string[];
  online: boolean;
  /** Telemetry arrived while the view was listening. */
  reported: boolean;
}

interface Known {
  status?: Record<string, unknown>;
  info?: Record<string, unknown>;
  state?: Record<string, unknown>;
  telemetry?: Record<string, unknown>;
  seen?: number;
}

/** The leaves whose payload the view keeps. */
const KEPT = ['status', 'info', 'state', 'telemetry'] as const;

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

export class FleetView {
  private readonly devices = new Map<string, Known>();

  constructor(private readonly base: string) {}

  /** The subscriptions that feed this view: every device topic one level down. */
  filters(): string[] {
    return [`${this.base}/+/+`];
  }

  /**
   * Takes one message; `at` is when it arrived. A retained message stands for
   * the time it carries (`ts`); a live one for its arrival.
   */
  ingest(topic: string, payload: Buffer | string, at: number, retained = false): void {
    const t = parseDeviceTopic(this.base, topic);
    if (!t || !isDeviceId(t.id) || t.leaf.includes('/')) return;
    const text = payload.toString();
    if (text === '') {
      // An empty retained status/info clears the device (fleet forget, or the device itself).
      if (t.leaf === 'status' || t.leaf === 'info') this.forget(t.id);
      return;
    }
    if (t.leaf === 'work' || t.leaf === 'acks') return; // sent to the device, not by it
    let json: unknown;
    try { json = JSON.parse(text); } catch { return; }
    if (!isRecord(json)) return;
    const d = this.devices.get(t.id) ?? {};
    if ((KEPT as readonly string[]).includes(t.leaf)) d[t.leaf as (typeof KEPT)[number]] = json;
    const ts = num(json.ts);
    const when = retained ? (ts ?? 0) : at;
    d.seen = Math.max(d.seen ?? 0, when);
    this.devices.set(t.id, d);
  }

  forget(id: string): void {
    this.devices.delete(id);
  }

  rows(): DeviceRow[] {
    return [...this.devices.entries()].filter(([, d]) => d.status || d.info).sort(([a], [b]) => a.localeCompare(b)).map(([id, d]) => {
      const status = parseStatus(d.status);
      const online = status?.state === 'online';
      const tel = d.telemetry;
      const rate = isRecord(tel?.hashrate_hps) ? num(tel.hashrate_hps['10s']) : null;
      return {
        id,
        state: online && typeof d.state?.mode === 'string' ? d.state.mode : (status?.state ?? 'unknown'),
        hashrate_hps: online ? rate : null,
        temp_c: num(tel?.temp_c),
        power_w: num(tel?.power_w),
        shares: num(tel?.shares_found),
        last_seen_ms: d.seen ?? null,
        status_ts: status?.ts ?? null,
        version: typeof d.info?.version === 'string' ? d.info.version : null,
        groups: Array.isArray(d.info?.groups) ? d.info.groups.filter((g): g is string => typeof g === 'string') : [],
        online,
        reported: tel !== undefined,
      };
    });
  }
}

export function fleetTable(rows: DeviceRow[], now: number): string {
  const header = ['DEVICE', 'STATE', 'HASHRATE', 'TEMP', 'POWER', 'SHARES', 'LAST SEEN', 'VERSION'];
  const body = rows.map((r) => [
    r.id, r.state, formatRate(r.hashrate_hps),
    r.temp_c === null ? '-' : `${r.temp_c.toFixed(1)} °C`,
    r.power_w === null ? '-' : `${r.power_w.toFixed(2)} W`,
    r.shares === null ? '-' : String(r.shares),
    formatAge(r.last_seen_ms, now), r.version ?? '-',
  ]);
  const online = rows.filter((r) => r.online);
  const total = online.reduce((s, r) => s + (r.hashrate_hps ?? 0), 0);
  return `${formatTable(header, body)}\n${rows.length} devices, ${online.length} online, ${formatRate(total)} total`;
}

/** The retained topics `fleet forget` clears for a device (an empty retained message each). */
export function retainedTopicsOf(base: string, id: string, haPrefix: string): string[] {
  return [deviceTopic(base, id, 'status'), deviceTopic(base, id, 'info'), deviceTopic(base, id, 'state'), haDiscoveryTopic(haPrefix, id)];
}
