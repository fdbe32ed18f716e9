// Custom convict formats. Each validator throws with a message that names the
// accepted shape, because convict prints these messages to the operator as-is.
import convict from 'convict';
import { hostname } from 'node:os';

export const DEVICE_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
/** Topic segments with a fleet-wide meaning; a device may not take them as its id. */
export const RESERVED_IDS = ['all', 'group', 'coordinator'];

/** Hostnames are the default device id; MQTT topic levels need a safe subset. */
export function sanitizeDeviceId(raw: string): string {
  const cleaned = raw.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64);
  if (cleaned === '' || RESERVED_IDS.includes(cleaned)) return `device-${cleaned || 'unnamed'}`;
  return cleaned;
}

export function defaultDeviceId(): string {
  return sanitizeDeviceId(hostname());
}

function assertDeviceId(val: unknown): void {
  if (typeof val !== 'string' || !DEVICE_ID_RE.test(val)) {
    throw new Error('must be 1-64 characters of [A-Za-z0-9_-]');
  }
  if (RESERVED_IDS.includes(val)) throw new Error(`"${val}" is reserved (${RESERVED_IDS.join(', ')})`);
}

const BROKER_SCHEMES = ['mqtt:', 'mqtts:', 'ws:', 'wss:'];

let registered = false;
/** Registers hashling's formats once per process (convict keeps a global table). */
export function registerFormats(): void {
  if (registered) return;
  registered = true;
  convict.addFormat({ name: 'device-id', validate: assertDeviceId });
  convict.addFormat({
    name: 'group-list',
    validate(val: unknown) {
      if (!Array.isArray(val)) throw new Error('must be a list of group names');
      for (const g of val) assertDeviceId(g);
    },
    coerce: (val: unknown) =>
      typeof val === 'string' ? val.split(',').map((s) => s.trim()).filter((s) => s !== '') : val,
  });
  convict.addFormat({
    name: 'broker-url',
    validate(val: unknown) {
      let url: URL;
      try {
        url = new URL(String(val));
      } catch {
        throw new Error('must be a URL such as mqtt://host:1883');
      }
      if (!BROKER_SCHEMES.includes(url.protocol)) {
        throw new Error(`scheme must be one of ${BROKER_SCHEMES.map((s) => s.slice(0, -1)).join(', ')}`);
      }
    },
  });
  convict.addFormat({
    name: 'topic-base',
    validate(val: unknown) {
      if (typeof val !== 'string' || val === '' || /[#+\u0000]/.test(val) || val.startsWith('/') || val.endsWith('/')) {
        throw new Error('must be a non-empty topic prefix without wildcards or leading/trailing "/"');
      }
    },
  });
  convict.addFormat({
    name: 'positive-int',
    validate(val: unknown) {
      if (!Number.isInteger(val) || (val as number) < 1) throw new Error('must be an integer ≥ 1');
    },
    coerce: (val: unknown) => (typeof val === 'string' && val.trim() !== '' ? Number(val) : val),
  });
  convict.addFormat({
    name: 'positive-number',
    validate(val: unknown) {
      if (typeof val !== 'number' || !Number.isFinite(val) || val <= 0) throw new Error('must be a number > 0');
    },
    coerce: (val: unknown) => (typeof val === 'string' && val.trim() !== '' ? Number(val) : val),
  });
  convict.addFormat({
    name: 'optional-path',
    validate(val: unknown) {
      if (val !== '' && typeof val !== 'string') throw new Error('must be a file path');
    },
  });
}
