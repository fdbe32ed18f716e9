// Charts as SVG files, drawn by Vega-Lite (compiled to Vega) and rendered by
// Vega's headless SVG renderer: no browser, no canvas, no native module.
// vega and vega-lite are imported here, lazily, and this file is imported only
// by `hashling economics` and `hashling treasury`: the agent and the
// coordinator never load them (they are ~10 MB of JavaScript).
import { writeFile } from 'node:fs/promises';
import type { BacktestDay } from './treasury/backtest.ts';
import type { Fold } from './treasury/walkForward.ts';
import type { WhatIfDay } from './whatIf.ts';

type Spec = Record<string, unknown>;

const WIDTH = 760;
const HEIGHT = 300;

/** Renders a Vega-Lite spec to SVG text. */
export async function renderSvg(spec: Spec): Promise<string> {
  // Bundled (dist/), a CommonJS package's namespace may arrive as its `default`.
  const [vegaNs, vlNs] = await Promise.all([import('vega'), import('vega-lite')]);
  const vega = 'View' in vegaNs ? vegaNs : (vegaNs as unknown as { default: typeof vegaNs }).default;
  const vl = 'compile' in vlNs ? vlNs : (vlNs as unknown as { default: typeof vlNs }).default;
  const compiled = vl.compile({ $schema: 'https://vega.github.io/schema/vega-lite/v5.json', ...spec } as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export async function writeSvg(path: string, spec: Spec): Promise<void> {
  await writeFile(path, await renderSvg(spec));
}

/** Rounds to 4 significant digits: the chart cannot show more, and the SVG stays small. */
const sig = (x: number) => (x === 0 || !Number.isFinite(x) ? x : Number(x.toPrecision(4)));

/** Daily revenue (after pool fee) against energy cost, USD per day. */
export function economicsSpec(rows: readonly WhatIfDay[], title: string): Spec {
  const values = rows.flatMap((r) => [
    { time: r.time, series: 'revenue (USD/day)', usd: sig(r.revenue_usd) },
    { time: r.time, series: 'energy cost (USD/day)', usd: sig(r.cost) },
  ]);
  // Revenue of a small device is often 1000× below its energy cost: a log axis
  // shows both lines (only possible when every value is above zero).
  const log = values.every((v) => v.usd > 0);
  return {
    title, width: WIDTH, height: HEIGHT, data: { values },
    mark: { type: 'line', strokeWidth: 1.2, interpolate: 'step-after' },
    encoding: {
      x: { field: 'time', type: 'temporal', title: null },
      y: { field: 'usd', type: 'quantitative', title: log ? 'USD per day (log scale)' : 'USD per day', scale: log ? { type: 'log' } : {} },
      color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'top-left', labelLimit: 0 } },
    },
  };
}

/** Total value (realised fiat + holdings at that day's price) of each strategy over time. */
export function treasurySpec(runs: Record<string, readonly BacktestDay[]>, title: string): Spec {
  const values = Object.entries(runs).flatMap(([name, days]) => days.map((d) => ({ time: d.time, strategy: name, usd: sig(d.total_value) })));
  return {
    title, width: WIDTH, height: HEIGHT, data: { values },
    mark: { type: 'line', strokeWidth: 1.2 },
    encoding: {
      x: { field: 'time', type: 'temporal', title: null },
      y: { field: 'usd', type: 'quantitative', title: 'total value (USD)' },
      color: { field: 'strategy', type: 'nominal', title: null, legend: { orient: 'top-left', labelLimit: 0 } },
    },
  };
}

/** Walk-forward: each strategy's total value at the end of every test period. */
export function walkForwardSpec(folds: readonly Fold[], policy: string, title: string): Spec {
  const values = folds.flatMap((f) => [
    { period: `${f.test_from}..${f.test_to}`, strategy: policy, usd: sig(f.policy.total_value) },
    { period: `${f.test_from}..${f.test_to}`, strategy: 'hold', usd: sig(f.hold.total_value) },
    { period: `${f.test_from}..${f.test_to}`, strategy: 'sell-on-receipt', usd: sig(f.sell_on_receipt.total_value) },
  ]);
  return {
    title, width: WIDTH, height: HEIGHT, data: { values },
    mark: 'bar',
    encoding: {
      x: { field: 'period', type: 'ordinal', title: 'test period', axis: { labelAngle: -30 } },
      xOffset: { field: 'strategy' },
      y: { field: 'usd', type: 'quantitative', title: 'total value at period end (USD)' },
      color: { field: 'strategy', type: 'nominal', title: null, legend: { orient: 'top-left', labelLimit: 0 } },
    },
  };
}
