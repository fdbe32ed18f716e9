// The operator's view of a fleet, built only from what devices publish (retained
// status/info/state, live telemetry). Pure: feed it messages, read rows.
import { parseDeviceTopic } from '../protocol/topics.ts';

export interface DeviceRow {
  id: string;
  /** online/offline/lost from status; while online, the mode from state. */
  state: string;
  hashrate_hps: number | null;
  temp_c: number | null;
  power_w: number | null;
  shares: number | null;
  last_seen_ms: number | null;
  version: string | null;
  groups: string[];
  online: boolean;
}

interface Known { status?: any; info?: any; state?: any; telemetry?: any; seen?: number }

/** Ids that are topic levels of the fleet, not devices. */
const NOT_DEVICES = new Set(['coordinator', 'all', 'group']);

export class FleetView {
  private readonly devices = new Map<string, Known>();

  constructor(private readonly base: string) {}

  /** The subscriptions that feed this view. */
  filters(): string[] {
    return ['status', 'info', 'state', 'telemetry'].map((leaf) => `${this.base}/+/${leaf}`);
  }

  /** Takes one message; `at` is when it arrived (telemetry has no retained copy). */
  ingest(topic: string, payload: Buffer | string, at: number): void {
    const t = parseDeviceTopic(this.base, topic);
    if (!t || NOT_DEVICES.has(t.id) || !['status', 'info', 'state', 'telemetry'].includes(t.leaf)) return;
    let json: any;
    try { json = JSON.parse(payload.toString()); } catch { return; }
    if (typeof json !== 'object' || json === null) return;
    const d = this.devices.get(t.id) ?? {};
    (d as Record<string, unknown>)[t.leaf] = json;
    const ts = typeof json.ts === 'number' ? json.ts : at;
    d.seen = Math.max(d.seen ?? 0, t.leaf === 'telemetry' ? at : ts);
    this.devices.set(t.id, d);
  }

  rows(): DeviceRow[] {
    return [...this.devices.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([id, d]) => {
      const status: string = d.status?.state ?? 'unknown';
      const online = status === 'online';
      return {
        id,
        state: online && d.state?.mode ? d.state.mode : status,
        hashrate_hps: d.telemetry?.hashrate_hps?.['10s'] ?? null,
        temp_c: d.telemetry?.temp_c ?? null,
        power_w: d.telemetry?.power_w ?? null,
        shares: d.telemetry?.shares_found ?? null,
        last_seen_ms: d.seen ?? null,
        version: d.info?.version ?? null,
        groups: Array.isArray(d.info?.groups) ? d.info.groups : [],
        online,
      };
    });
  }
}

export function formatRate(hps: number | null): string {
  if (hps === null) return '-';
  if (hps >= 1e9) return `${(hps / 1e9).toFixed(2)} GH/s`;
  if (hps >= 1e6) return `${(hps / 1e6).toFixed(2)} MH/s`;
  if (hps >= 1e3) return `${(hps / 1e3).toFixed(1)} kH/s`;
  return `${Math.round(hps)} H/s`;
}

export function formatAge(ms: number | null, now: number): string {
  if (ms === null) return '-';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

/** A fixed-width text table. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
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
