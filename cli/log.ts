// One-line stderr logging shared by the commands. Never pass secrets here.
export function stderrLog(prefix: string): (line: string) => void {
  return (line) => process.stderr.write(`${new Date().toISOString()} ${prefix} ${line}\n`);
}

/** sysexits.h EX_CONFIG: the exit code for invalid configuration. */
export const EXIT_CONFIG = 78;
