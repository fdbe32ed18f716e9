// The process (or thread, agent/childTask.ts) of the start-up kernel check
// (agent/kernelCheck.ts). A hashing thread boots on the other core while this one
// runs the self-test; the planner runs when the agent sends its request (the state
// directory, which only its config names, and the hashing thread's entry: when it
// is not the usual one, that one is booted instead).
import { chooseKernels, selfTestCandidates } from '../kernels/choose.ts';
import { serveChildTask } from './childTask.ts';
import { bootHashingThread, type KernelCheck, type KernelCheckRequest } from './kernelCheck.ts';
import { HASH_WORKER_ENTRY } from './pool/workerPool.ts';

serveChildTask(
  () => ({ booting: bootHashingThread(HASH_WORKER_ENTRY), selfTest: selfTestCandidates() }),
  async (req: KernelCheckRequest, prepared): Promise<KernelCheck> => {
    const lines: string[] = [];
    const boot = req.workerEntry === HASH_WORKER_ENTRY ? prepared.booting : bootHashingThread(req.workerEntry);
    const choice = chooseKernels({ stateDir: req.stateDir, selfTest: prepared.selfTest, log: (l) => lines.push(l) });
    return { choice, log: lines, bootError: await boot };
  },
);
