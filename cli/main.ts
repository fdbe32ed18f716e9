// The `hashling` command: one bin, one subcommand per job.
import { agentCommand } from './agent.ts';
import { configCommand } from './config.ts';
import { demoCommand } from './demo.ts';
import { selftestCommand } from './selftest.ts';

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { run: () => Promise<Command>; help: string }> = {
  agent: { run: async () => agentCommand, help: 'run the device agent against a broker (--broker URL --device-id ID --threads N --config FILE)' },
  demo: { run: async () => demoCommand, help: 'embedded broker + demo work + agent on this machine (what `npm start` runs)' },
  config: { run: async () => configCommand, help: 'print the effective config (secrets redacted) or the schema: config print|schema' },
  selftest: { run: async () => selftestCommand, help: 'check every hash kernel against golden vectors' },
  bench: { run: async () => (await import('./bench.ts')).benchCommand, help: 'benchmark the kernels: --algo A --threads N --seconds S --json --all' },
  coordinator: { run: async () => (await import('./coordinator.ts')).coordinatorCommand, help: 'the pool side: Stratum V1 upstream (--pool URL, repeatable) or --source demo; carves, verifies, forwards' },
  simulate: { run: async () => (await import('./simulate.ts')).simulateCommand, help: 'N virtual agents against a broker for load tests: --devices N --hashrate H --broker URL' },
  health: { run: async () => (await import('./health.ts')).healthCommand, help: 'exit 0 when the local agent/coordinator status file is fresh and connected (container HEALTHCHECK)' },
  fleet: { run: async () => (await import('./fleet.ts')).fleetCommand, help: 'the operator view over the broker: fleet list | watch | cmd <id|group:<g>|all> <verb> [json]' },
  keygen: { run: async () => (await import('./keygen.ts')).keygenCommand, help: 'write an Ed25519 key pair for signing work units' },
};

function usage(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(12)} ${c.help}`);
  return `usage: hashling <command> [options]\n\ncommands:\n${rows.join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 64;
  }
  if (name === '--version' || name === 'version') {
    const { VERSION } = await import('../agent/deviceInfo.ts');
    process.stdout.write(`hashling ${VERSION}\n`);
    return 0;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`hashling: unknown command "${name}"\n\n${usage()}`);
    return 64;
  }
  return (await cmd.run())(rest);
}
