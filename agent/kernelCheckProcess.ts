// Starting the start-up kernel check (agent/kernelCheck.ts) in its own process.
// Imports nothing heavy, so `hashling agent` can fork the check first thing and
// let its self-test run on the other core while the agent's modules load and the
// config is read; the planner waits for the state directory, which only the
// config names.
import type { KernelCheck, KernelCheckRequest } from './kernelCheck.ts';
import { startChildTask, type ChildTask } from './childTask.ts';
import { besideCaller } from '../kernels/workerEntry.ts';

export type KernelCheckRun = ChildTask<KernelCheckRequest, KernelCheck>;

const ENTRY = besideCaller(import.meta.url, './kernelCheckChild');
let early: KernelCheckRun | null = null;

/** Forks the check now; the next takeKernelCheck() gets this run. */
export function startKernelCheckEarly(): void {
  early ??= startChildTask(ENTRY);
}

/** The run started early, or a new one. */
export function takeKernelCheck(): KernelCheckRun {
  const run = early ?? startChildTask(ENTRY);
  early = null;
  return run;
}

/**
 * The host details for `info` (systeminformation), read in a process of their
 * own; it never delays the agent's exit (the child ends with its parent).
 */
export function readHostDetailsInChild(log: (line: string) => void): Promise<Record<string, unknown>> {
  return startChildTask<null, Record<string, unknown>>(besideCaller(import.meta.url, './hostDetailsChild')).ask(null, { log, keepAlive: false });
}
