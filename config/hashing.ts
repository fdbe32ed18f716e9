// Section `hashing`: the worker pool.
import { availableParallelism } from 'node:os';
import { intIn } from './formats.ts';
import { key } from './spec.ts';

export const hashing = {
  threads: key({
    doc: 'Hashing worker threads, at most the number of cores. Default: all cores.',
    format: intIn(1, 1024), default: availableParallelism(), defaultDoc: 'all cores', arg: 'threads', remote: true,
  }),
  queue_size: key({ doc: 'Work units queued beyond the running one; overflow is reported as E_QUEUE_FULL.', format: intIn(1, 64), default: 8, remote: true }),
  batch_ms: key({ doc: 'Target duration of one worker batch; bounds cancel latency (clean units take effect within ~4 batches).', format: intIn(5, 1000), default: 20, remote: true }),
};
