// Profit-aware control, pure: from each device's revenue and energy cost if it
// hashed now (economics/live.ts, "hashing"), decide which devices to pause,
// resume or lower. The coordinator turns the actions into the agents' own
// commands (pause, resume, budget/set) and publishes each with its numbers.
//
// No flapping: a device is paused only when revenue < cost × (1 − h) and
// resumed only when revenue > cost × (1 + h) (h = economics.hysteresis), and it
// keeps a decision at least min_hold_ms. The budget policy changes a level only
// by min_step_percent points or more, and also holds it min_hold_ms. A device the policy did not pause
// (an operator's pause) is never resumed by it. The budget policy only ever
// lowers max_cpu_percent below the device's own setting and gives that setting
// back, never more; temperature and power limits stay the device's own.

import type { ProfitPolicy } from '../config/economics.ts';

export interface ControlInput {
  id: string;
  online: boolean;
  /** The agent's mode (hashing, paused, throttled, idle) from its retained state. */
  mode: string | null;
  revenue_per_day: number | null;
  cost_per_day: number | null;
  /** budget.max_cpu_percent the device runs with when left alone (from its state before any change). */
  own_max_cpu_percent: number | null;
}

/** What the policy did to one device, carried from period to period. */
export interface ControlMemory {
  paused: boolean;
  /** max_cpu_percent the budget policy set, null when it left the device at its own. */
  max_cpu_percent: number | null;
  since_ms: number;
}

export interface ControlAction {
  device: string;
  action: 'pause' | 'resume' | 'budget';
  max_cpu_percent?: number;
  revenue_per_day: number | null;
  cost_per_day: number;
  reason: string;
}

export interface ControlSettings {
  policy: ProfitPolicy;
  hysteresis: number;
  min_hold_ms: number;
  max_loss_per_day: number;
  /** Smallest change of max_cpu_percent worth a command (percentage points). */
  min_step_percent?: number;
}

const fmt = (x: number) => Number(x.toPrecision(4));

/**
 * One control period. `memory` is not changed; the returned map replaces it.
 * Devices without a known revenue or cost (no price, no job, no power reading)
 * keep their current state: the policy never acts on a guess.
 */
export function decideControl(devices: readonly ControlInput[], memory: ReadonlyMap<string, ControlMemory>, s: ControlSettings, now: number): { actions: ControlAction[]; memory: Map<string, ControlMemory> } {
  const next = new Map(memory);
  const actions: ControlAction[] = [];
  const held = (id: string) => now - (memory.get(id)?.since_ms ?? -Infinity) >= s.min_hold_ms;
  const known = devices.filter((d): d is ControlInput & { revenue_per_day: number; cost_per_day: number } => d.online && d.revenue_per_day !== null && d.cost_per_day !== null);

  if (s.policy === 'off') {
    // Give back whatever an earlier policy took, then forget it.
    for (const [id, m] of memory) {
      const d = devices.find((x) => x.id === id);
      if (!d?.online) continue;
      if (m.paused) actions.push({ device: id, action: 'resume', revenue_per_day: d.revenue_per_day, cost_per_day: d.cost_per_day ?? 0, reason: 'policy off: resuming a device it had paused' });
      else if (m.max_cpu_percent !== null && d.own_max_cpu_percent !== null) actions.push({ device: id, action: 'budget', max_cpu_percent: d.own_max_cpu_percent, revenue_per_day: d.revenue_per_day, cost_per_day: d.cost_per_day ?? 0, reason: 'policy off: restoring its own max_cpu_percent' });
      next.delete(id);
    }
    return { actions, memory: next };
  }

  if (s.policy === 'pause_when_unprofitable') {
    for (const d of known) {
      const m = memory.get(d.id);
      const low = d.revenue_per_day < d.cost_per_day * (1 - s.hysteresis);
      const high = d.revenue_per_day > d.cost_per_day * (1 + s.hysteresis);
      const nums = `revenue ${fmt(d.revenue_per_day)}/day vs energy ${fmt(d.cost_per_day)}/day`;
      if (m?.paused) {
        if (high && held(d.id)) {
          actions.push({ device: d.id, action: 'resume', revenue_per_day: d.revenue_per_day, cost_per_day: d.cost_per_day, reason: `profitable again: ${nums} (> cost × ${1 + s.hysteresis})` });
          next.delete(d.id);
        } else if (d.mode !== null && d.mode !== 'paused' && !high && held(d.id)) {
          // It hashes again though still unprofitable (an agent restart forgets a pause).
          actions.push({ device: d.id, action: 'pause', revenue_per_day: d.revenue_per_day, cost_per_day: d.cost_per_day, reason: `hashing again while unprofitable: ${nums}` });
          next.set(d.id, { paused: true, max_cpu_percent: null, since_ms: now });
        }
      } else if (d.mode !== 'paused' && low && held(d.id)) {
        actions.push({ device: d.id, action: 'pause', revenue_per_day: d.revenue_per_day, cost_per_day: d.cost_per_day, reason: `unprofitable: ${nums} (< cost × ${1 - s.hysteresis})` });
        next.set(d.id, { paused: true, max_cpu_percent: null, since_ms: now });
      }
    }
    return { actions, memory: next };
  }

  // budget: scale loss-making devices by one factor k so the fleet loses at most max_loss_per_day.
  const step = s.min_step_percent ?? 10;
  const margin = (d: { revenue_per_day: number; cost_per_day: number }) => d.revenue_per_day - d.cost_per_day;
  const gains = known.reduce((a, d) => a + Math.max(0, margin(d)), 0);
  const losses = known.reduce((a, d) => a + Math.max(0, -margin(d)), 0);
  const total = gains - losses;
  // Loss-making devices run at k of their own level: k × losses = L + gains (margins scale with the level).
  const k = losses === 0 ? 1 : Math.min(1, Math.max(0, (s.max_loss_per_day + gains) / losses));
  for (const d of known) {
    if (d.own_max_cpu_percent === null || d.mode === 'paused') continue;
    const m = memory.get(d.id);
    const current = m?.max_cpu_percent ?? d.own_max_cpu_percent;
    const want = margin(d) < 0 ? Math.round(d.own_max_cpu_percent * k) : d.own_max_cpu_percent;
    const restore = want === d.own_max_cpu_percent;
    // Hysteresis: changes smaller than `step` points wait, so noise in the hashrate estimate moves nothing.
    if (want === current || Math.abs(want - current) < step || !held(d.id)) continue;
    actions.push({
      device: d.id, action: 'budget', max_cpu_percent: want, revenue_per_day: d.revenue_per_day, cost_per_day: d.cost_per_day,
      reason: restore
        ? `fleet margin ${fmt(total)}/day within the loss budget ${s.max_loss_per_day}/day: back to its own ${want} %`
        : `fleet margin ${fmt(total)}/day below −${s.max_loss_per_day}/day: loss-making devices to ${fmt(k * 100)} % of their own level`,
    });
    if (restore) next.delete(d.id);
    else next.set(d.id, { paused: false, max_cpu_percent: want, since_ms: now });
  }
  return { actions, memory: next };
}
