// One-line stderr logging shared by the commands. Never pass secrets here.
export function stderrLog(prefix: string): (line: string) => void {
  return (line) => process.stderr.write(`${new Date().toISOString()} ${prefix} ${line}\n`);
}

/** "1 thread", "4 threads". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
