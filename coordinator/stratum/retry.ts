// When to try a pool again. A pool that was serving a moment ago most likely
// had a blip (restart, network hiccup): it is retried on a short fixed period,
// so mining resumes within about that period of the pool's return. Exponential
// backoff (transport/backoff.ts) only starts once that window has passed. A live
// run showed why: a 20 s outage, retried at 1.1, 1.6, 3.4, 10.8, 19.4, 32.6 s,
// cost 69 s of mining; with 1 s retries the same outage costs ~21 s.
import { backoffDelay, type BackoffPolicy } from '../../transport/backoff.ts';

export interface RetryPolicy extends BackoffPolicy {
  /** Period of the fast retries after a healthy session ended. */
  fastMs: number;
  /** How long after a healthy session ended the fast period applies. */
  fastForMs: number;
}

/**
 * Delay before the next round of connection attempts. `sinceHealthyMs` is the
 * time since a session last ended (null: never connected in this run), `slowRound`
 * counts the rounds after the fast window, `random` is in [0, 1).
 */
export function retryDelay(policy: RetryPolicy, sinceHealthyMs: number | null, slowRound: number, random: number): number {
  if (sinceHealthyMs !== null && sinceHealthyMs < policy.fastForMs) {
    // ±25 % jitter: one coordinator per fleet, so no herd to spread, but
    // several fleets behind one pool should not reconnect in lockstep.
    return Math.round(policy.fastMs * (0.75 + 0.5 * random));
  }
  return backoffDelay(policy, slowRound, random);
}
