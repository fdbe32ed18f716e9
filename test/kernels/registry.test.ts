// Kernel registry, start-up selection and self-test (all algorithms present).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { hexToBytes } from '../../kernels/hex.ts';
import { findKernel, getAlgoModule, listAlgos, listBaselines, listKernels, selectKernel } from '../../kernels/registry.ts';
import { runSelfTest } from '../../kernels/selfTest.ts';
import { BITCOIN_HEADERS } from '../../kernels/sha256d/vectors.ts';
import { ALGOS, type HeaderJob } from '../../kernels/types.ts';

test('every registered module is found under its own algo and lists its kernels', () => {
  assert.ok(listAlgos().includes('sha256d'));
  for (const algo of ALGOS) {
    const mod = getAlgoModule(algo);
    if (!mod) continue;
    assert.equal(mod.algo, algo);
    assert.deepEqual(listKernels(algo), [...mod.kernels]);
    assert.deepEqual(listBaselines(algo), [...mod.baselines]);
    for (const k of [...mod.kernels, ...mod.baselines]) assert.equal(k.algo, algo);
  }
  assert.deepEqual(listKernels(), listAlgos().flatMap((a) => listKernels(a)));
});

test('kernel names are unique and findKernel resolves kernels and baselines by name', () => {
  const all = listAlgos().flatMap((a) => [...listKernels(a), ...listBaselines(a)]);
  assert.equal(new Set(all.map((k) => k.name)).size, all.length);
  for (const k of all) assert.equal(findKernel(k.name), k);
  assert.equal(findKernel('no-such-kernel'), null);
});

test('selectKernel picks the first available kernel that passes its check, and caches it', () => {
  for (const algo of listAlgos()) {
    const mod = getAlgoModule(algo)!;
    const k = selectKernel(algo);
    assert.ok(k, `no kernel for ${algo}`);
    assert.equal(k.available(), true);
    assert.equal(mod.checkKernel(k), null);
    const expected = mod.kernels.find((c) => c.available() && mod.checkKernel(c) === null);
    assert.equal(k, expected);
    assert.equal(selectKernel(algo), k);
  }
  if (findKernel('sha256d-wasm-loop8-factored')!.available()) assert.equal(selectKernel('sha256d')!.name, 'sha256d-wasm-loop8-factored');
});

test('runSelfTest reports every available kernel of every algorithm, all passing', () => {
  const results = runSelfTest();
  const expected = listKernels().filter((k) => k.available()).map((k) => k.name);
  assert.deepEqual(results.map((r) => r.kernel), expected);
  for (const r of results) assert.deepEqual(r, { kernel: r.kernel, algo: findKernel(r.kernel)!.algo, ok: true });
});

function runWorker(data: unknown): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('../../kernels/workerBoot.js', import.meta.url), {
      workerData: { entry: new URL('./helpers/scanWorker.ts', import.meta.url).href, ...(data as object) },
    });
    w.once('message', resolve);
    w.once('error', reject);
  });
}

test('sha256d kernels load inside worker_threads through kernels/workerBoot.js and find the genesis nonce', async () => {
  const v = BITCOIN_HEADERS[0]!;
  const job: HeaderJob = { algo: 'sha256d', header: hexToBytes(v.header_hex), target: hexToBytes(v.target) };
  for (const k of listKernels('sha256d').filter((c) => c.available())) {
    assert.deepEqual(await runWorker({ kernel: k.name, job, start: v.nonce - 500, count: 1000 }), [v.nonce], k.name);
  }
});
