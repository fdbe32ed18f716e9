// Worker entry for the registry test: loads kernels the way the agent's workers do
// (findKernel(name).prepare(job).scan(...)) and posts the shares back.
import { parentPort, workerData } from 'node:worker_threads';
import { findKernel } from '../../../kernels/registry.ts';

const { kernel, job, start, count } = workerData as {
  kernel: string; job: Parameters<NonNullable<ReturnType<typeof findKernel>>['prepare']>[0]; start: number; count: number;
};
const k = findKernel(kernel);
if (!k) throw new Error(`unknown kernel ${kernel}`);
const shares: number[] = [];
k.prepare(job).scan(start, count, (n) => shares.push(n));
parentPort!.postMessage(shares);
