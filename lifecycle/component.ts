// The lifecycle every long-running part follows (zigbee2mqtt's extensions):
// the constructor only assigns; start() acquires (threads, sockets, timers);
// stop() releases exactly what start() took and resolves when nothing of it runs.
// A runner starts components in order and, when one fails to start, stops the
// ones already started in reverse order before rethrowing, so a failed start
// leaves no thread or timer behind.
export interface Component {
  /** For logs: "link", "pool", "budget"… */
  readonly name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

export interface Started {
  /** Stops every component in reverse start order; errors are logged, never thrown. */
  stop(): Promise<void>;
}

/** Stops in reverse order, logging (not throwing) a failing stop so the rest still stop. */
async function stopAll(started: Component[], log: (line: string) => void): Promise<void> {
  for (const c of [...started].reverse()) {
    try {
      await c.stop();
    } catch (err) {
      log(`E_INTERNAL stopping ${c.name}: ${(err as Error).message}`);
    }
  }
}

export async function startAll(components: Component[], log: (line: string) => void): Promise<Started> {
  const started: Component[] = [];
  for (const c of components) {
    try {
      await c.start();
    } catch (err) {
      await stopAll(started, log);
      throw err;
    }
    started.push(c);
  }
  let stopping: Promise<void> | null = null;
  return { stop: () => (stopping ??= stopAll(started, log)) };
}

/** A component from two functions (small parts that need no class). */
export function component(name: string, start: () => Promise<void> | void, stop: () => Promise<void> | void): Component {
  return { name, start, stop };
}
