// Entry of every worker thread that runs TypeScript (bench workers; any kernel
// user): workers do not inherit tsx's loader from the main thread, so register it
// here and then import the real entry, passed as workerData.entry (a file URL).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
