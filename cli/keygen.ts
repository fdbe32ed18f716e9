// `hashling keygen [--out PREFIX] [--force]`: writes an Ed25519 key pair for signed
// work units. PREFIX.key holds the secret key (base64, mode 0600) for
// coordinator.signing_key_file; PREFIX.pub and stdout give the public key for
// every agent's work.coordinator_public_key.
import { existsSync, writeFileSync } from 'node:fs';
import { encodeBase64, generateKeyPair } from '../protocol/signing.ts';

function usage(): string {
  return 'usage: hashling keygen [--out PREFIX] [--force]\n  writes PREFIX.key (secret, 0600) and PREFIX.pub; default PREFIX "coordinator"\n';
}

export async function keygenCommand(argv: string[]): Promise<number> {
  let prefix = 'coordinator';
  let force = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--out' && argv[i + 1]) prefix = argv[++i]!;
    else if (a.startsWith('--out=')) prefix = a.slice('--out='.length);
    else if (a === '--force') force = true;
    else if (a === '--help' || a === '-h') { process.stdout.write(usage()); return 0; }
    else { process.stderr.write(`hashling keygen: unknown argument ${a}\n${usage()}`); return 64; }
  }
  const keyPath = `${prefix}.key`;
  const pubPath = `${prefix}.pub`;
  if (!force && (existsSync(keyPath) || existsSync(pubPath))) {
    process.stderr.write(`hashling keygen: ${keyPath} or ${pubPath} exists; refusing to overwrite a key without --force\n`);
    return 73; // EX_CANTCREAT
  }
  const { secretKey, publicKey } = generateKeyPair();
  const pub = encodeBase64(publicKey);
  writeFileSync(keyPath, `${encodeBase64(secretKey)}\n`, { mode: 0o600 });
  writeFileSync(pubPath, `${pub}\n`, { mode: 0o644 });
  process.stderr.write(`wrote ${keyPath} (secret; set coordinator.signing_key_file) and ${pubPath}\n`);
  process.stdout.write(`work.coordinator_public_key=${pub}\n`);
  return 0;
}
