// Worker threads do not inherit tsx's loader from the main thread, so each worker
// starts here, registers it, and then loads its TypeScript entry (workerData.entry).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
