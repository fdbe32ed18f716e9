// Section `telemetry`: the agent's periodic measurements.
import { numberIn } from './formats.ts';
import { key } from './spec.ts';

export const telemetry = {
  interval_s: key({ doc: 'Seconds between telemetry messages (0.1 to 86400).', format: numberIn(0.1, 86_400), default: 10, remote: true }),
};
