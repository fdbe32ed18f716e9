// Counts the machine instructions one pass of a sha256d loop kernel's `scan` executes,
// from V8's own disassembly of its TurboFan code: each loop body times its trip count.
// A measure that does not depend on the machine's load, and one that can be taken for
// another architecture's code generator: with --node pointing at an arm64 Node build run
// under qemu-user, it counts the instructions a Pi's V8 would emit (docs/performance.md).
// Trip counts come from the module's .wat beside the .wasm: scan's loops in order, each
// `(local.set $p (i32.const FROM))` ... `(br_if $x (i32.lt_u (local.get $p) (i32.const TO)))`.
//
// Usage: node scripts/countInstructions.mjs [--node "CMD..."] generated/wasmLoop8Nested.wasm ...
//   e.g. --node "qemu-aarch64-static -L /usr/aarch64-linux-gnu ~/.cache/hashling/node/linux-arm64-20.20.2/node"
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
let node = [process.execPath];
if (args[0] === '--node') {
  node = args[1].split(' ');
  args.splice(0, 2);
}

// Runs the module until TurboFan has compiled scan, then exits; V8 prints every compiled function.
const driver = join(tmpdir(), 'hashling-count-driver.mjs');
writeFileSync(driver, `import { readFileSync } from 'node:fs';
const x = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(process.argv[2])), {}).exports;
for (let i = 0; i < 3000; i++) x.scan(i * 4096, 64);
await new Promise((r) => setTimeout(r, 1500));
for (let i = 0; i < 100; i++) x.scan(i * 4096, 64);
`);

/** Trip counts of scan's loops, in order, from the WAT text. */
function tripCounts(wat) {
  const scan = wat.slice(wat.indexOf('(func (export "scan")'));
  const trips = [];
  let from = 0;
  for (const line of scan.split('\n')) {
    const start = /\(local\.set \$p \(i32\.const (\d+)\)\)/.exec(line);
    if (start) from = Number(start[1]);
    const end = /br_if \$(\w+) \(i32\.lt_u \(local\.get \$p\) \(i32\.const (\d+)\)\)/.exec(line);
    if (end) trips.push((Number(end[2]) - from) / (end[1] === 'rounds' ? 128 : 16)); // 8 rounds or 1 word of 16 bytes per trip
  }
  return trips;
}

/** Instructions (offset, text) of the last TurboFan compile of function 1 (scan). */
function turbofanScan(text) {
  const block = text.split('--- WebAssembly code ---').filter((b) => b.includes('compiler: TurboFan') && b.includes('name: wasm-function[1]')).at(-1);
  if (!block) throw new Error('no TurboFan code for scan in the disassembly');
  const ins = [];
  for (const line of block.split('\n')) {
    const m = /^0x[0-9a-f]+\s+([0-9a-f]+)\s+[0-9a-f]+\s+(.*)$/.exec(line);
    if (m) ins.push({ off: parseInt(m[1], 16), text: m[2].trim() });
  }
  return ins;
}

/** Conditional backward branches (loop back-edges) as [first, last] instruction indexes. */
function loops(ins) {
  const at = new Map(ins.map((x, i) => [x.off, i]));
  const out = [];
  ins.forEach((x, i) => {
    let target = null;
    const x64 = /^j(?!mp)\w+ 0x[0-9a-f]+\s+<\+0x([0-9a-f]+)>/.exec(x.text);
    if (x64) target = parseInt(x64[1], 16);
    const arm = /^(?:b\.\w+|cbz|cbnz|tbz|tbnz)\s.*#-0x([0-9a-f]+)/.exec(x.text);
    if (arm) target = x.off - parseInt(arm[1], 16);
    if (target !== null && target < x.off && at.has(target)) out.push([at.get(target), i]);
  });
  return out;
}

for (const file of args) {
  const wat = readFileSync(file.replace(/\.wasm$/, '.wat'), 'utf8');
  const trips = tripCounts(wat);
  const lanes = Number(/\(global \(export "lanes"\) i32 \(i32\.const (\d+)\)\)/.exec(wat)[1]);
  const dis = execFileSync(node[0], [...node.slice(1), '--print-wasm-code', driver, file], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const ins = turbofanScan(dis);
  const back = loops(ins);
  const pass = back.reduce((p, q) => (q[0] < p[0] ? q : p)); // the pass loop starts first
  const inner = back.filter((b) => b !== pass).sort((p, q) => p[0] - q[0]);
  if (inner.length !== trips.length) throw new Error(`${file}: ${inner.length} inner loops in the code, ${trips.length} in the WAT`);
  let total = pass[1] - pass[0] + 1;
  inner.forEach(([s, e], j) => { total += (trips[j] - 1) * (e - s + 1); });
  console.log(JSON.stringify({ file, lanes, instructions_per_pass: total, instructions_per_nonce: Math.round(total / lanes) }));
}
