// Section `broker`: the MQTT connection. None of it is writable over MQTT: a
// remote change here could move a device to another broker or drop its TLS.
import { bool, brokerUrl, intIn, numberIn, oneOf, readableFile, str } from './formats.ts';
import { key } from './spec.ts';

export const broker = {
  url: key({ doc: 'Broker URL: mqtt://, mqtts://, ws:// or wss://.', format: brokerUrl, default: 'mqtt://127.0.0.1:1883', arg: 'broker', restart: true }),
  username: key({ doc: 'Username for the broker.', format: str, default: '', restart: true }),
  password: key({ doc: 'Password for the broker (prefer password_file).', format: str, default: '', sensitive: true, restart: true }),
  password_file: key({ doc: 'File whose first line is the broker password; wins over password.', format: readableFile, default: '', restart: true }),
  ca: key({ doc: 'PEM file of the CA that signed the broker certificate (pinning). When set, the agent connects only over TLS (mqtts:// or wss://).', format: readableFile, default: '', restart: true }),
  cert: key({ doc: 'PEM client certificate for mutual TLS (with broker.key).', format: readableFile, default: '', restart: true }),
  key: key({ doc: 'PEM private key of the client certificate (with broker.cert).', format: readableFile, default: '', restart: true }),
  keepalive_s: key({ doc: 'MQTT keepalive in seconds.', format: intIn(1, 3600), default: 30, restart: true }),
  protocol_version: key({ doc: 'MQTT protocol version: 5 (MQTT 5.0) or 4 (MQTT 3.1.1).', format: oneOf([4, 5]), default: 5, restart: true }),
  reconnect_min_ms: key({ doc: 'First reconnect delay; doubles per failed attempt, with ±50 % jitter.', format: intIn(10, 600_000), default: 1000 }),
  reconnect_max_ms: key({ doc: 'Upper bound of the reconnect delay.', format: intIn(10, 3_600_000), default: 60000 }),
  outbox_size: key({ doc: 'Shares and results kept until delivered (shares until the coordinator acknowledges them); oldest dropped (and counted) beyond this. Kept on disk too when health.state_dir is set.', format: intIn(10, 1_000_000), default: 10000 }),
  share_resend_s: key({ doc: 'A share the coordinator has not acknowledged after this long is sent again (it also goes again after every reconnect).', format: numberIn(1, 3600), default: 30 }),
  allow_insecure: key({ doc: 'Allow sending a password over plain TCP to a non-loopback broker.', format: bool, default: false, restart: true }),
};
