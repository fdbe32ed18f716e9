// Stable error codes. They travel in `events` payloads (`code`), command responses
// and stderr lines; outside tools match on them, so never rename one.
export const ERROR_CODES = [
  'E_BAD_JSON',          // payload is not UTF-8 JSON
  'E_BAD_VERSION',       // "v" missing or not a supported version
  'E_BAD_WORK_UNIT',     // a field of a work unit is missing or invalid
  'E_UNKNOWN_ALGO',      // algo not implemented by this agent
  'E_TOO_LARGE',         // payload above the size limit
  'E_BAD_BATCH',         // work array empty or longer than the limit
  'E_DUPLICATE_UNIT',    // unit_id seen before (reported as a warning)
  'E_QUEUE_FULL',        // work queue overflow, oldest or newest dropped
  'E_EXPIRED',           // unit arrived already expired
  'E_BAD_SIGNATURE',     // unit unsigned or signature does not verify
  'E_WORKER_CRASH',      // a hashing worker died and was replaced
  'E_SELFTEST',          // a kernel failed its golden vectors
  'E_CONFIG',            // invalid configuration
  'E_SENSOR',            // a sensor is missing, stuck or returns garbage
  'E_BROKER',            // broker connection problem
  'E_OUTBOX_OVERFLOW',   // buffered shares/results dropped while offline
  'E_BAD_COMMAND',       // command payload invalid
  'E_UNKNOWN_COMMAND',   // unknown verb
  'E_RETAINED_COMMAND',  // a retained command was ignored
  'E_RATE_LIMITED',      // command rate limit hit
  'E_STRATUM',           // upstream pool protocol error
  'E_USAGE',             // bad command line: unknown flag, missing argument
  'E_UNAVAILABLE',       // a service this command needs cannot be reached in time
  'E_NOT_AUTHORIZED',    // the broker refused this client's credentials
  'E_DUPLICATE_ID',      // another live agent holds this device id
  'E_FORBIDDEN_KEY',     // a payload or patch names __proto__, constructor or prototype
  'E_BAD_PRICE',         // a market price payload is invalid, stale or in another currency
  'E_BAD_DATA',          // an input file (a history CSV) holds a value that cannot be used
  'E_INTERNAL',          // a bug: anything not classified above
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** An error that carries a stable code; one catch point per input path turns it into a payload. */
export class HashlingError extends Error {
  readonly code: ErrorCode;
  readonly unitId: string | undefined;
  constructor(code: ErrorCode, message: string, unitId?: string) {
    super(message);
    this.name = 'HashlingError';
    this.code = code;
    this.unitId = unitId;
  }
}

/** Normalises anything thrown into a coded error (unclassified → E_INTERNAL). */
export function toHashlingError(err: unknown): HashlingError {
  if (err instanceof HashlingError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new HashlingError('E_INTERNAL', message);
}

/**
 * Runs one input path's handler: whatever it throws is logged with its code
 * ("E_X while handling what: message") and goes no further, so a bad message or
 * a failing tick never stops the component.
 */
export function handleLogged(log: (line: string) => void, what: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    const e = toHashlingError(err);
    log(`${e.code} while handling ${what}: ${e.message}`);
  }
}
