// Section `work`: how an agent judges the work units it receives.
import convict from 'convict';
import type { SectionSpec } from './schema.ts';

/** Empty, or standard base64 of a 32-byte Ed25519 public key (what `hashling keygen` prints). */
function ed25519PublicKey(val: unknown): void {
  if (val === '') return;
  if (typeof val !== 'string' || !/^[A-Za-z0-9+/]{43}=$/.test(val.trim())) {
    throw new Error('must be empty or the base64 of a 32-byte Ed25519 public key (see `hashling keygen`)');
  }
}

convict.addFormat({ name: 'ed25519-public-key', validate: ed25519PublicKey });

export const work: SectionSpec = {
  coordinator_public_key: {
    doc: 'Ed25519 public key (base64) of the coordinator. When set, the agent hashes only units whose "sig" verifies and answers others with E_BAD_SIGNATURE.',
    format: 'ed25519-public-key', default: '', restart: true,
  },
};
