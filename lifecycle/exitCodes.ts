// Exit codes of every hashling command: sysexits.h where one fits, so service
// managers and scripts can tell a bad command line from a bad config from a
// broker that is down. docs/operations.md lists them.
import { toHashlingError, type ErrorCode } from '../protocol/errors.ts';

export const EXIT = {
  OK: 0,
  /** A command that ran and reports a failure of its own (fleet cmd: an error answer). */
  FAILURE: 1,
  /** fleet cmd: a device did not answer in time. */
  NO_ANSWER: 2,
  /** EX_USAGE: unknown flag, missing or extra argument. */
  USAGE: 64,
  /** EX_DATAERR: an input file is wrong (economics, treasury: a bad history CSV line). */
  DATA: 65,
  /** EX_UNAVAILABLE: a service the command needs (the broker) cannot be reached in time. */
  UNAVAILABLE: 69,
  /** EX_SOFTWARE: a kernel failed its self-test, a worker failed to boot, a bug. */
  SOFTWARE: 70,
  /** EX_TEMPFAIL: the `restart` command; the service manager starts the agent again. */
  RESTART: 75,
  /** EX_NOPERM: the broker refused the credentials. */
  NOPERM: 77,
  /** EX_CONFIG: invalid configuration. */
  CONFIG: 78,
  /** hashling's own: another live agent holds this device id (systemd must not restart into a fight). */
  DUPLICATE_ID: 79,
} as const;

const BY_CODE: Partial<Record<ErrorCode, number>> = {
  E_USAGE: EXIT.USAGE,
  E_CONFIG: EXIT.CONFIG,
  E_BAD_DATA: EXIT.DATA,
  E_UNAVAILABLE: EXIT.UNAVAILABLE,
  E_NOT_AUTHORIZED: EXIT.NOPERM,
  E_DUPLICATE_ID: EXIT.DUPLICATE_ID,
};

/** The exit code for an error that ends a command (anything unclassified is EX_SOFTWARE). */
export function exitCodeFor(err: unknown): number {
  return BY_CODE[toHashlingError(err).code] ?? EXIT.SOFTWARE;
}
