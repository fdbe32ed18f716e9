// Reconnect delays for a fleet. MQTT.js retries on a fixed period, so a broker
// restart makes every device reconnect in the same second; exponential growth
// with ±50 % jitter spreads them out (the "equal jitter" family of AWS's
// exponential-backoff analysis).

export interface BackoffPolicy {
  minMs: number;
  maxMs: number;
}

/** Delay before reconnect attempt number `attempt` (0-based); `random` in [0, 1). */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: number): number {
  const base = Math.min(policy.maxMs, policy.minMs * 2 ** Math.min(attempt, 30));
  return Math.round(base * (0.5 + random));
}
