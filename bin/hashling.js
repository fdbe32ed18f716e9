#!/usr/bin/env node
// The one `hashling` entry point: plain node running the compiled product in
// dist/ (built by `npm ci` through the `prepare` script, or `npm run build`).
// Nothing is compiled here, so a device starts fast and needs no TypeScript tooling.
const MAIN = new URL('../dist/main.js', import.meta.url);

let main;
try {
  ({ main } = await import(MAIN.href));
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes(MAIN.pathname)) throw err;
  process.stderr.write('hashling: the compiled product (dist/) is missing: run `npm ci` or `npm run build` in the checkout\n');
  process.exit(70);
}
process.exitCode = await main(process.argv.slice(2));
