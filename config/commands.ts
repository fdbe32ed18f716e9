// Section `commands`: the rate limit and identify of fleet commands over MQTT.
import { intIn, numberIn } from './formats.ts';
import { key } from './spec.ts';

export const commands = {
  rate_per_min: key({ doc: 'Commands a device accepts per minute (token bucket refill); beyond it they are answered E_RATE_LIMITED.', format: numberIn(0, 1e9, true), default: 60, remote: true }),
  burst: key({ doc: 'Commands a device accepts back to back before the per-minute rate applies (token bucket size).', format: intIn(1, 1e9), default: 10, remote: true }),
  identify_s: key({ doc: 'How long the identify command blinks the ACT LED (s).', format: numberIn(0, 3600, true), default: 10, remote: true }),
};
