// Section `config`: whether remote config/set changes are persisted.
import { bool } from './formats.ts';
import { key } from './spec.ts';

export const configSection = {
  writable: key({ doc: 'Persist config/set changes to the config file (--config / HASHLING_CONFIG), atomically (temp file + rename). Off: changes live until restart only.', format: bool, default: false, restart: true }),
};
