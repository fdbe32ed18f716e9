// `hashling fleet cmd`: which topic a target means, who is expected to answer, and
// the outcome table once responses are in. Pure.
import { formatTable, type DeviceRow } from './view.ts';

export type Target = { kind: 'device'; id: string } | { kind: 'group'; group: string } | { kind: 'all' };

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** `pi-01`, `group:kitchen` or `all`. */
export function parseTarget(raw: string): Target {
  if (raw === 'all') return { kind: 'all' };
  if (raw.startsWith('group:')) {
    const group = raw.slice('group:'.length);
    if (!NAME.test(group)) throw new Error(`bad group name "${group}"`);
    return { kind: 'group', group };
  }
  if (!NAME.test(raw) || raw === 'group' || raw === 'coordinator') throw new Error(`bad target "${raw}": a device id, group:<name> or all`);
  return { kind: 'device', id: raw };
}

export function commandTopic(base: string, target: Target, verb: string): string {
  if (target.kind === 'all') return `${base}/all/cmd/${verb}`;
  if (target.kind === 'group') return `${base}/group/${target.group}/cmd/${verb}`;
  return `${base}/${target.id}/cmd/${verb}`;
}

/** Devices expected to answer (online members), and members that are not online. */
export function expectedResponders(target: Target, rows: DeviceRow[]): { expected: string[]; offline: string[] } {
  const members = target.kind === 'device'
    ? rows.filter((r) => r.id === target.id).concat(rows.some((r) => r.id === target.id) ? [] : [{ id: target.id, online: true } as DeviceRow])
    : target.kind === 'group' ? rows.filter((r) => r.groups.includes(target.group)) : rows;
  return { expected: members.filter((r) => r.online).map((r) => r.id), offline: members.filter((r) => !r.online).map((r) => r.id) };
}

export interface Outcome {
  table: string;
  /** 0 every expected device answered ok; 1 an error answer; 2 someone did not answer. */
  exitCode: number;
}

export function summarize(expected: string[], offline: string[], responses: Map<string, any>): Outcome {
  const ids = [...new Set([...expected, ...responses.keys()])].sort();
  const rows = ids.map((id) => {
    const r = responses.get(id);
    if (!r) return [id, 'NO ANSWER', ''];
    if (r.status === 'ok') return [id, 'ok', JSON.stringify(r.data ?? {})];
    return [id, `error ${r.error?.code ?? ''}`.trim(), r.error?.message ?? ''];
  });
  const missing = expected.filter((id) => !responses.has(id));
  const errors = [...responses.values()].filter((r) => r.status !== 'ok').length;
  const lines = [formatTable(['DEVICE', 'RESULT', 'DATA / MESSAGE'], rows)];
  if (offline.length) lines.push(`offline (not asked): ${offline.join(', ')}`);
  lines.push(missing.length ? `no answer from ${missing.length}: ${missing.join(', ')}` : `${responses.size} answered`);
  return { table: lines.join('\n'), exitCode: missing.length ? 2 : errors ? 1 : 0 };
}
