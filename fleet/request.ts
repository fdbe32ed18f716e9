// `hashling fleet cmd`: who is expected to answer, and the outcome table once
// responses are in. Pure. Topics and payloads: protocol/.
import type { CommandResponse } from '../protocol/commands.ts';
import type { CommandTarget } from '../protocol/topics.ts';
import { formatTable } from './format.ts';
import type { DeviceRow } from './view.ts';

/** Devices expected to answer (online members), and members that are not online. */
export function expectedResponders(target: CommandTarget, rows: DeviceRow[]): { expected: string[]; offline: string[] } {
  const members = target.kind === 'device'
    ? (rows.some((r) => r.id === target.id) ? rows.filter((r) => r.id === target.id) : [{ id: target.id, online: true }])
    : target.kind === 'group' ? rows.filter((r) => r.groups.includes(target.group)) : rows;
  return { expected: members.filter((r) => r.online).map((r) => r.id), offline: members.filter((r) => !r.online).map((r) => r.id) };
}

export interface Outcome {
  table: string;
  /** 0 every expected device answered ok; 1 an error answer; 2 someone did not answer. */
  exitCode: number;
}

export function summarize(expected: string[], offline: string[], responses: Map<string, Pick<CommandResponse, 'status' | 'data' | 'error'>>): Outcome {
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
