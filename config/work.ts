// Section `work`: how an agent judges the work units it receives.
import { ed25519PublicKey } from './formats.ts';
import { key } from './spec.ts';

export const work = {
  coordinator_public_key: key({
    doc: 'Ed25519 public key (base64) of the coordinator. When set, the agent hashes only units whose "sig" verifies and answers others with E_BAD_SIGNATURE.',
    format: ed25519PublicKey, default: '', restart: true,
  }),
};
