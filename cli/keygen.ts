// `hashling keygen [--out PREFIX] [--force]`: writes an Ed25519 key pair for signed
// work units. PREFIX.key holds the secret key (base64, mode 0600) for
// coordinator.signing_key_file; PREFIX.pub and stdout give the public key for
// every agent's work.coordinator_public_key. A missing directory of PREFIX is
// created with mode 0700 (it holds a secret).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { HashlingError } from '../protocol/errors.ts';
import { encodeBase64, generateKeyPair } from '../protocol/signing.ts';
import { runCommand, type CommandSpec } from './args.ts';

export const keygenSpec: CommandSpec = {
  name: 'keygen',
  summary: 'Write an Ed25519 key pair for signing work units: PREFIX.key (secret, 0600) and PREFIX.pub; prints the agents\' work.coordinator_public_key.',
  options: {
    out: { type: 'string', value: 'PREFIX', help: 'path prefix of the key files (default "coordinator"); its directory is created 0700 when missing' },
    force: { type: 'boolean', help: 'overwrite existing key files' },
  },
};

/** EX_CANTCREAT (sysexits.h): the key files exist, or cannot be written. */
const EXIT_CANTCREAT = 73;

export function keygenCommand(argv: string[]): Promise<number> {
  return runCommand(keygenSpec, argv, async (p) => {
    const prefix = typeof p.values.out === 'string' ? p.values.out : 'coordinator';
    const keyPath = `${prefix}.key`;
    const pubPath = `${prefix}.pub`;
    if (p.values.force !== true && (existsSync(keyPath) || existsSync(pubPath))) {
      process.stderr.write(`hashling keygen: ${keyPath} or ${pubPath} exists; refusing to overwrite a key without --force\n`);
      return EXIT_CANTCREAT;
    }
    const { secretKey, publicKey } = generateKeyPair();
    const pub = encodeBase64(publicKey);
    try {
      mkdirSync(dirname(keyPath), { recursive: true, mode: 0o700 });
      writeFileSync(keyPath, `${encodeBase64(secretKey)}\n`, { mode: 0o600 });
      writeFileSync(pubPath, `${pub}\n`, { mode: 0o644 });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
      process.stderr.write(`hashling keygen: ${new HashlingError('E_CONFIG', `cannot write ${keyPath}: ${code}`).message}\n`);
      return EXIT_CANTCREAT;
    }
    process.stderr.write(`wrote ${keyPath} (secret; set coordinator.signing_key_file) and ${pubPath}\n`);
    process.stdout.write(`work.coordinator_public_key=${pub}\n`);
    return 0;
  });
}
