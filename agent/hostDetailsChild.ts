// The process (or thread, agent/childTask.ts) that loads systeminformation and
// reads the host details for `info` (agent/deviceInfo.ts), so the agent itself
// never holds the library (~4 MB resident, docs/footprint.md).
import { serveChildTask } from './childTask.ts';
import { readHostDetails } from './deviceInfo.ts';

serveChildTask(() => null, () => readHostDetails());
