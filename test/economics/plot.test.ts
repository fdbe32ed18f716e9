import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { economicsSpec, renderSvg, treasurySpec } from '../../economics/plot.ts';

test('the economics chart renders to an SVG with a line per series, without a browser', async () => {
  const rows = ['2020-01-01', '2020-01-02', '2020-01-03'].map((time, i) => ({ time, revenue_native: 1e-8, revenue_usd: 0.01 * (i + 1), energy_kwh: 0.15, cost: 0.045, margin: 0.01 * (i + 1) - 0.045 }));
  const svg = await renderSvg(economicsSpec(rows, 'test chart'));
  assert.match(svg, /^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal((svg.match(/<path[^>]*aria-roledescription="line mark"/g) ?? []).length, 2);
  assert.match(svg, /revenue \(USD\/day\)/);
  assert.match(svg, /energy cost \(USD\/day\)/);
  assert.match(svg, /test chart/);
});

test('the treasury chart names every strategy', async () => {
  const day = (time: string, v: number) => ({ time, price_usd: 1, mined_native: 1, action: 'hold' as const, sold_native: 0, proceeds: 0, holdings_native: v, holdings_value: v, realised_fiat: 0, total_value: v, reason: '' });
  const svg = await renderSvg(treasurySpec({ hold: [day('2020-01-01', 1), day('2020-01-02', 2)], 'sell-on-receipt': [day('2020-01-01', 1), day('2020-01-02', 1.5)] }, 't'));
  assert.equal((svg.match(/<path[^>]*aria-roledescription="line mark"/g) ?? []).length, 2);
  assert.match(svg, />hold</);
  assert.match(svg, />sell-on-receipt</);
});

/** Every .ts file of the product (not tests, not node_modules). */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (['node_modules', 'test', '.git'].includes(name)) return [];
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('only economics/plot.ts imports vega, and only the economics and treasury commands load it, lazily', () => {
  const root = new URL('../..', import.meta.url).pathname;
  const vega = sources(root).filter((f) => /from ['"]vega(-lite)?['"]|import\(['"]vega(-lite)?['"]\)/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(vega.map((f) => f.slice(root.length)), ['economics/plot.ts']);
  const users = sources(root).filter((f) => /plot\.ts['"]/.test(readFileSync(f, 'utf8'))).map((f) => f.slice(root.length)).sort();
  assert.deepEqual(users, ['cli/economics.ts', 'cli/treasury.ts']);
  for (const f of users) assert.doesNotMatch(readFileSync(join(root, f), 'utf8'), /^import[^;]*plot\.ts/m, `${f} must import plot.ts dynamically`);
  assert.doesNotMatch(readFileSync(join(root, 'economics/plot.ts'), 'utf8'), /^import[^;]*['"]vega/m);
});
