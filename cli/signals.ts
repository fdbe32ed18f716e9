// How a long-running command ends: SIGTERM/SIGINT (or a trigger from inside, such
// as the `restart` command or a fatal condition) stop it cleanly and resolve with
// the exit code; a stop that takes longer than 5 s exits anyway.

export type Trigger = (reason: string, code: number) => void;

/**
 * Resolves with 0 after a clean stop on SIGTERM/SIGINT. `trigger` receives a
 * function that stops the same way from inside and resolves with the code given.
 */
export function waitForSignal(stop: () => Promise<void>, log: (l: string) => void, trigger?: (fire: Trigger) => void): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (sig: string, code = 0) => {
      if (stopping) return;
      stopping = true;
      log(`${sig}: stopping`);
      const force = setTimeout(() => {
        log('stop took longer than 5 s; exiting anyway');
        process.exit(code || 1);
      }, 5000);
      force.unref();
      const t0 = Date.now();
      stop()
        .then(() => log(`stopped in ${Date.now() - t0} ms`))
        .catch((err) => log(`error while stopping: ${(err as Error).message}`))
        .finally(() => {
          process.off('SIGTERM', onTerm);
          process.off('SIGINT', onInt);
          resolve(code);
        });
    };
    const onTerm = () => onSignal('SIGTERM');
    const onInt = () => onSignal('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
    trigger?.((reason, code) => onSignal(reason, code));
  });
}

/** A trigger that can be called before waitForSignal has armed it (it then fires at once when armed). */
export class DeferredTrigger {
  private fire: Trigger | null = null;
  private pending: [string, number] | null = null;

  readonly call: Trigger = (reason, code) => {
    if (this.fire) this.fire(reason, code);
    else this.pending ??= [reason, code];
  };

  arm(fire: Trigger): void {
    this.fire = fire;
    if (this.pending) fire(...this.pending);
  }
}
