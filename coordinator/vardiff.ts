// Per-device share targets ("vardiff"): easy enough that a device finds about one
// share per share_interval_s, so its work can be verified and its hashrate
// measured every few tens of seconds whatever its speed, but never harder than
// the pool's target — every share the pool would accept must reach us.
import { MAX_TARGET, targetForRate } from './stratum/difficulty.ts';

/**
 * At most one share per 1024 hashes: below that a share flood costs the
 * coordinator more in verification than the device's work is worth.
 */
export const EASIEST_TARGET = MAX_TARGET >> 10n;

export function chooseUnitTarget(hashrateHps: number, shareIntervalS: number, poolTarget: bigint): bigint {
  let t = targetForRate(hashrateHps, shareIntervalS);
  if (t > EASIEST_TARGET) t = EASIEST_TARGET;
  return t < poolTarget ? poolTarget : t;
}
