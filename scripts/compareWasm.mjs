// Compares builds of the sha256d SIMD module side by side in one process: 15
// interleaved rounds of 150 ms each, hashes per CPU-second of the process (robust
// to other load on a shared machine), median / max / min per file. Used to choose the
// kernel's form (docs/performance.md). Usage: node scripts/compareWasm.mjs a.wasm b.wasm ...
// (The scan speed does not depend on the unit, so the modules run on zeroed memory.)
import { readFileSync } from 'node:fs';

const files = process.argv.slice(2);
const mods = files.map((f) => new WebAssembly.Instance(new WebAssembly.Module(readFileSync(f)), {}).exports);
for (const x of mods) for (let i = 0; i < 300; i++) x.scan(i * 4096, 1024 / x.lanes.value); // tier up
await new Promise((r) => setTimeout(r, 1000)); // let the optimising compiler finish
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const rates = files.map(() => []);
for (let r = 0; r < 15; r++) {
  for (const [j, x] of mods.entries()) {
    const t = cpuMs();
    let n = 0;
    while (cpuMs() - t < 150) {
      for (let i = 0; i < 50; i++) { x.scan(n, Math.ceil(4096 / x.lanes.value)); n += 4096; }
    }
    rates[j].push(n / (cpuMs() - t) / 1000);
  }
}
for (const [j, f] of files.entries()) {
  const s = rates[j].sort((a, b) => a - b);
  console.log(`${f}: median ${s[7].toFixed(2)}  max ${s[14].toFixed(2)}  min ${s[0].toFixed(2)}  M hashes per CPU-second`);
}
