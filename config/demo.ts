// Section `demo`: `hashling demo` (= `npm start`), everything on one machine.
import { numberIn, port } from './formats.ts';
import { key } from './spec.ts';

export const demo = {
  port: key({ doc: 'Port of the embedded broker of `hashling demo` (1884, beside the standard 1883, so a system broker does not collide).', format: port, default: 1884, arg: 'port' }),
  share_interval_s: key({ doc: 'Demo share target: about one share per this many seconds at the measured hashrate.', format: numberIn(0.1, 3600), default: 3 }),
};
