// The operator's view of a fleet, built only from what devices publish: retained
// status/info/state, live telemetry, and any other message as a sign of life.
// Revenue and energy cost per day come from the coordinator's retained
// economics message when one is there.
// Pure: feed it messages with their arrival time, read rows.
import { MAX_ECONOMICS_BYTES, parseEconomicsSummary, type EconomicsSummary } from '../protocol/economics.ts';
import { isRecord, parseWireJson } from '../protocol/json.ts';
import { parseStatus } from '../protocol/payloads.ts';
import { deviceTopic, economicsTopic, haDiscoveryTopic, isDeviceId, parseDeviceTopic } from '../protocol/topics.ts';
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
  /** From the coordinator's economics message: expected revenue and energy cost per day (null: unknown or no message). */
  revenue_per_day: number | null;
  cost_per_day: number | null;
}

/** The fleet's money per day and its currency, from the coordinator's economics message. */
export type FleetMoney = { currency: string } & EconomicsSummary['fleet'];

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
  private economics: EconomicsSummary | null = null;

  constructor(private readonly base: string) {}

  /** The subscriptions that feed this view: every device topic one level down (and so the coordinator's economics). */
  filters(): string[] {
    return [`${this.base}/+/+`];
  }

  /** The fleet's revenue, cost and margin per day, or null without an economics message. */
  money(): FleetMoney | null {
    return this.economics ? { currency: this.economics.currency, ...this.economics.fleet } : null;
  }

  /**
   * Takes one message; `at` is when it arrived. A retained message stands for
   * the time it carries (`ts`); a live one for its arrival.
   */
  ingest(topic: string, payload: Buffer | string, at: number, retained = false): void {
    if (topic === economicsTopic(this.base)) {
      this.ingestEconomics(payload);
      return;
    }
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

  /** An empty payload clears it; anything that is not an economics message leaves the columns empty. */
  private ingestEconomics(payload: Buffer | string): void {
    if (payload.length === 0) {
      this.economics = null;
      return;
    }
    try {
      this.economics = parseEconomicsSummary(parseWireJson(payload, MAX_ECONOMICS_BYTES, 'economics message'));
    } catch {
      this.economics = null;
    }
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
        revenue_per_day: this.economics?.devices.get(id)?.revenue_per_day ?? null,
        cost_per_day: this.economics?.devices.get(id)?.cost_per_day ?? null,
      };
    });
  }
}

/** Money per day, readable from a fraction of a cent up; '-' when unknown. */
export function formatMoney(x: number | null): string {
  if (x === null) return '-';
  return Math.abs(x) >= 1 || x === 0 ? x.toFixed(2) : x.toPrecision(3);
}

/** The fleet table; with `money` (the coordinator's economics), revenue and energy cost per day in its currency. */
export function fleetTable(rows: DeviceRow[], now: number, money: FleetMoney | null = null): string {
  const cur = money ? ` ${money.currency}` : '';
  const header = ['DEVICE', 'STATE', 'HASHRATE', 'TEMP', 'POWER', 'SHARES', 'LAST SEEN', 'VERSION', `REVENUE/DAY${cur}`, `COST/DAY${cur}`];
  const body = rows.map((r) => [
    r.id, r.state, formatRate(r.hashrate_hps),
    r.temp_c === null ? '-' : `${r.temp_c.toFixed(1)} °C`,
    r.power_w === null ? '-' : `${r.power_w.toFixed(2)} W`,
    r.shares === null ? '-' : String(r.shares),
    formatAge(r.last_seen_ms, now), r.version ?? '-', formatMoney(r.revenue_per_day), formatMoney(r.cost_per_day),
  ]);
  const online = rows.filter((r) => r.online);
  const total = online.reduce((s, r) => s + (r.hashrate_hps ?? 0), 0);
  const perDay = money ? `; revenue ${formatMoney(money.revenue_per_day)}, energy ${formatMoney(money.cost_per_day)}, margin ${formatMoney(money.margin_per_day)} ${money.currency}/day` : '';
  return `${formatTable(header, body)}\n${rows.length} devices, ${online.length} online, ${formatRate(total)} total${perDay}`;
}

/** The retained topics `fleet forget` clears for a device (an empty retained message each). */
export function retainedTopicsOf(base: string, id: string, haPrefix: string): string[] {
  return [deviceTopic(base, id, 'status'), deviceTopic(base, id, 'info'), deviceTopic(base, id, 'state'), haDiscoveryTopic(haPrefix, id)];
}
