// `npm run build` (and `npm ci`, through the `prepare` script): the compiled
// product in dist/, run by plain node. Nothing compiles on a device at start.
//
// esbuild bundles each process and thread entry with its dependencies (mqtt,
// convict, @noble/*, …) into ES modules; code shared by entries and every lazy
// `import()` become chunks of their own, so `hashling agent` still loads only the
// agent's code and a hashing thread only its loop and the kernels. Bundling is the
// measured choice over one output file per source module (what tsc emits; built
// here with `--layout modules` for the comparison in docs/footprint.md): the idle
// agent's RSS is ~11 MB lower and each hashing thread ~2 MB lower, because Node's
// module loader keeps state for each of the ~250 files it would otherwise open
// (MQTT.js alone is ~100). esbuild also builds in ~1 s where tsc takes ~5 s, which
// matters because test/run.ts rebuilds before every run. Type checking stays tsc's
// job (`npm run typecheck`, part of `npm test`).
//
// Layout: every output file sits flat in dist/, so a module's own URL
// (import.meta.url) is dist/<chunk>.js wherever its code ended up. The few files
// code opens relative to itself are placed to match: entries started as threads or
// processes (dist/hashWorker.js, …; kernels/workerEntry.ts) and the WebAssembly
// modules the kernels read (`new URL('./romix.wasm', import.meta.url)` →
// dist/romix.wasm). ../package.json (the version) is the package's own file.
import { build, type Metafile, type Plugin } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST = join(ROOT, 'dist');
/** Processes and threads the product starts: the CLI, hashing threads, the start-up kernel check, the host details reader, bench threads. */
const ENTRIES = {
  main: 'cli/main.ts',
  hashWorker: 'agent/pool/hashWorker.ts',
  kernelCheckChild: 'agent/kernelCheckChild.ts',
  hostDetailsChild: 'agent/hostDetailsChild.ts',
  benchmarkWorker: 'kernels/benchmarkWorker.ts',
};
/** The oldest Node the product runs on (package.json engines). */
const TARGET = 'node18.19';
// Bundled CommonJS packages (mqtt's stream and debug helpers, convict) call
// require() for Node built-ins, which an ES module does not have.
const BANNER = "import { createRequire as __hashlingRequire } from 'node:module';\nconst require = __hashlingRequire(import.meta.url);";

/**
 * Files a bundled module opens relative to its own URL, other than code: the
 * WebAssembly modules, and the generated kernel sources the planner hashes into its
 * cache key (kernels/planner.ts). A template literal (`./generated/${file}.wasm`)
 * stands for every file its pattern matches.
 */
const ASSET = /new URL\(\s*(['`])(\.{1,2}\/[^'`]+\.(?:wasm|json|ts))\1\s*,\s*import\.meta\.url\s*\)/g;

/** The files a (possibly templated) relative path names, from `dir`. */
function assetFiles(dir: string, rel: string): string[] {
  if (!rel.includes('${')) return [rel];
  const folder = rel.slice(0, rel.lastIndexOf('/') + 1);
  const pattern = new RegExp(`^${rel.slice(folder.length).split(/\$\{[^}]*\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
  if (folder.includes('${')) throw new Error(`${dir}: asset folder ${folder} is templated`);
  return readdirSync(resolve(dir, folder)).filter((f) => pattern.test(f)).map((f) => `${folder}${f}`);
}

/**
 * Collects `new URL('<relative file>', import.meta.url)` assets of our own
 * modules: each is copied to dist/<relative file>, where the same expression
 * points once the module's code runs from a file directly in dist/. ../package.json
 * (the version) is the package root's own file, beside dist/.
 */
function assetCopier(outdir: string, assets: Map<string, string>): Plugin {
  return {
    name: 'hashling-assets',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes('node_modules')) return undefined;
        const text = readFileSync(args.path, 'utf8');
        for (const m of text.matchAll(ASSET)) {
          if (m[2] === '../package.json') continue;
          for (const rel of assetFiles(dirname(args.path), m[2]!)) {
            const from = resolve(dirname(args.path), rel);
            const to = resolve(outdir, rel);
            if (relative(outdir, to).startsWith('..')) throw new Error(`${args.path}: asset ${rel} would land outside dist/`);
            const seen = assets.get(to);
            if (seen && seen !== from) throw new Error(`two assets want ${relative(ROOT, to)}: ${seen} and ${from}`);
            assets.set(to, from);
          }
        }
        return undefined;
      });
    },
  };
}

export interface BuildReport {
  files: number;
  bytes: number;
  assets: string[];
  ms: number;
  /** esbuild's record of which sources went into which output file. */
  meta?: Metafile;
}

/**
 * One output file per source module, relative imports kept as imports of the
 * sibling .js (x.ts → x.js): the layout tsc would emit, for comparisons only.
 */
const keepModules: Plugin = {
  name: 'keep-modules',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => (args.kind === 'entry-point' ? undefined : { path: args.path.replace(/\.ts$/, '.js'), external: true }));
  },
};

async function buildModules(outdir: string): Promise<BuildReport> {
  const t0 = performance.now();
  const graph = await build({ absWorkingDir: ROOT, entryPoints: ENTRIES, bundle: true, packages: 'external', platform: 'node', format: 'esm', write: false, metafile: true, outdir, external: ['wabt'], logLevel: 'silent' });
  const sources = Object.keys(graph.metafile.inputs).filter((f) => f.endsWith('.ts'));
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({ absWorkingDir: ROOT, entryPoints: sources, outdir, outbase: '.', bundle: true, packages: 'external', platform: 'node', format: 'esm', target: TARGET, plugins: [keepModules], logLevel: 'warning', metafile: true });
  for (const src of sources) {
    for (const m of readFileSync(join(ROOT, src), 'utf8').matchAll(ASSET)) {
      if (m[2] === '../package.json') continue;
      for (const rel of assetFiles(join(ROOT, dirname(src)), m[2]!)) {
        const to = resolve(outdir, dirname(src), rel);
        mkdirSync(dirname(to), { recursive: true });
        cpSync(resolve(ROOT, dirname(src), rel), to);
      }
    }
  }
  writeFileSync(join(outdir, 'main.js'), "export * from './cli/main.js';\n");
  writeFileSync(join(outdir, 'package.json'), readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const outputs = Object.values(result.metafile.outputs);
  return { files: outputs.length, bytes: outputs.reduce((n, o) => n + o.bytes, 0), assets: [], ms: Math.round(performance.now() - t0) };
}

/** Builds dist/ (or `outdir`) from scratch. */
export async function buildDist(outdir = DIST, layout: 'bundle' | 'modules' = 'bundle'): Promise<BuildReport> {
  if (layout === 'modules') return buildModules(outdir);
  const t0 = performance.now();
  const assets = new Map<string, string>();
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ENTRIES,
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: TARGET,
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    banner: { js: BANNER },
    // wabt (the .wat assembler) is a dev tool reached only by kernel codegen.
    external: ['wabt'],
    legalComments: 'none',
    // Whitespace and comments out, names kept (stack traces stay readable): V8
    // keeps every module's source text in memory.
    minifyWhitespace: true,
    minifySyntax: true,
    charset: 'ascii',
    metafile: true,
    logLevel: 'warning',
    plugins: [assetCopier(outdir, assets)],
  });
  for (const [to, from] of assets) {
    if (!existsSync(from)) throw new Error(`asset ${from} is missing`);
    mkdirSync(dirname(to), { recursive: true });
    cpSync(from, to);
  }
  const outputs = Object.values(result.metafile.outputs);
  return {
    files: outputs.length,
    bytes: outputs.reduce((n, o) => n + o.bytes, 0),
    assets: [...assets.keys()].map((p) => relative(ROOT, p)).sort(),
    ms: Math.round(performance.now() - t0),
    meta: result.metafile,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // Flags for comparisons only: --layout modules, --out DIR.
  const argv = process.argv.slice(2);
  const flag = (name: string) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
  const out = resolve(flag('--out') ?? DIST);
  const layout = flag('--layout') === 'modules' ? 'modules' : 'bundle';
  const r = await buildDist(out, layout);
  process.stdout.write(`build: ${relative(ROOT, out) || out} (${layout}) ${r.files} files, ${Math.round(r.bytes / 1024)} KiB${r.assets.length ? `, assets ${r.assets.join(' ')}` : ''} (${r.ms} ms)\n`);
}
