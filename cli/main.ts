// The `hashling` command: one bin, one subcommand per job. Subcommands are
// imported when run, so `hashling agent` loads the agent's modules only.
import { closest } from '../config/flags.ts';
import { EXIT } from '../lifecycle/exitCodes.ts';

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { run: () => Promise<Command>; help: string }> = {
  agent: { run: async () => (await import('./agent.ts')).agentCommand, help: 'run the device agent against a broker' },
  demo: { run: async () => (await import('./demo.ts')).demoCommand, help: 'embedded broker + demo work + agent on this machine (what `npm start` runs)' },
  coordinator: { run: async () => (await import('./coordinator.ts')).coordinatorCommand, help: 'the pool side: Stratum V1 upstream or a demo source; carves, verifies, forwards' },
  fleet: { run: async () => (await import('./fleet.ts')).fleetCommand, help: 'the operator view over the broker: fleet list | watch | cmd | forget' },
  config: { run: async () => (await import('./config.ts')).configCommand, help: 'the effective config (secrets redacted) or every key: config print | schema' },
  selftest: { run: async () => (await import('./selftest.ts')).selftestCommand, help: 'check every hash kernel against golden vectors; --replan re-times them and caches the choice' },
  bench: { run: async () => (await import('./bench.ts')).benchCommand, help: 'benchmark the kernels side by side with naive baselines (--variants, --native PATH)' },
  simulate: { run: async () => (await import('./simulate.ts')).simulateCommand, help: 'N virtual agents against a broker, for load tests' },
  health: { run: async () => (await import('./health.ts')).healthCommand, help: 'exit 0 when the local agent/coordinator is healthy (container HEALTHCHECK)' },
  economics: { run: async () => (await import('./economics.ts')).economicsCommand, help: 'revenue, energy cost and margin per day over a history CSV (what-if, table, JSON, chart)' },
  treasury: { run: async () => (await import('./treasury.ts')).treasuryCommand, help: 'sell policies for mined coins: treasury backtest (against hold and sell-on-receipt, walk-forward)' },
  keygen: { run: async () => (await import('./keygen.ts')).keygenCommand, help: 'write an Ed25519 key pair for signing work units' },
};

function usage(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(12)} ${c.help}`);
  return `usage: hashling <command> [options]\n\ncommands:\n${rows.join('\n')}\n\nhashling <command> --help shows a command's options; exit codes: docs/operations.md\n`;
}

async function version(): Promise<string> {
  const { VERSION } = await import('../agent/deviceInfo.ts');
  return VERSION;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    if (name === 'help' && rest[0] && Object.hasOwn(COMMANDS, rest[0])) return (await COMMANDS[rest[0]].run())(['--help']);
    process.stdout.write(usage());
    return EXIT.OK;
  }
  if (name === undefined) {
    process.stderr.write(usage());
    return EXIT.USAGE;
  }
  if (name === '--version' || name === 'version') {
    process.stdout.write(`hashling ${await version()}\n`);
    return EXIT.OK;
  }
  if (!Object.hasOwn(COMMANDS, name)) {
    const hint = closest(name, Object.keys(COMMANDS));
    process.stderr.write(`hashling: unknown command "${name}"${hint ? ` (did you mean ${hint}?)` : ''}\n\n${usage()}`);
    return EXIT.USAGE;
  }
  // The agent's start-up kernel check runs in a process of its own: fork it before
  // the agent's modules load, so its self-test overlaps them (docs/footprint.md).
  if ((name === 'agent' || name === 'demo') && !rest.includes('--help')) (await import('../agent/kernelCheckProcess.ts')).startKernelCheckEarly();
  return (await COMMANDS[name].run())(rest);
}
