// Entry of a worker thread started from the TypeScript sources (unit tests and
// development under tsx; kernels/workerEntry.ts decides): workers do not inherit
// tsx's loader from the main thread, so register it here and then import the real
// entry, passed as workerData.entry (a file URL). The compiled product never loads
// this file: its workers start on their compiled entry with plain node.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
