// A benchmark worker thread: keeps one scanner per kernel on the algorithm's bench job
// and answers {kernel, ms} with the hashes done in that time. Each thread scans its
// own nonce region (index << 28), like the agent's workers own their slices.
import { parentPort, workerData } from 'node:worker_threads';
import { findKernel } from './registry.ts';
import type { Algo } from './types.ts';
import { benchJob, TimedScan } from './measure.ts';

const { index, algo } = workerData as { index: number; algo: Algo };
const scans = new Map<string, TimedScan>();

parentPort!.on('message', (msg: { kernel: string; ms: number }) => {
  let timed = scans.get(msg.kernel);
  if (!timed) {
    const kernel = findKernel(msg.kernel);
    if (!kernel) throw new Error(`unknown kernel ${msg.kernel}`);
    timed = new TimedScan(kernel.prepare(benchJob(algo)), (index * 2 ** 28) % 2 ** 32);
    scans.set(msg.kernel, timed);
  }
  parentPort!.postMessage(timed.run(msg.ms));
});
