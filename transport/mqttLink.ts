// One MQTT connection with the behaviour a fleet needs: jittered exponential
// reconnect, subscriptions and retained topics restored after every reconnect
// (brokers may not persist retained messages), and a bounded outbox for
// messages that must not be lost (shares, results) while the broker is away.
//
// Each connection attempt uses a fresh MQTT.js client with its own reconnect off:
// MQTT.js would otherwise resend or queue unacknowledged publishes on its own,
// unbounded, and the outbox could not know what reached the broker.
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type IClientSubscribeOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { HashlingError } from '../protocol/errors.ts';
import { topicMatches } from '../protocol/topics.ts';
import { backoffDelay } from './backoff.ts';

export interface BrokerSettings {
  url: string;
  username: string;
  password: string;
  ca: string;
  cert: string;
  key: string;
  keepalive_s: number;
  protocol_version: 4 | 5;
  reconnect_min_ms: number;
  reconnect_max_ms: number;
  outbox_size: number;
  allow_insecure: boolean;
}

export interface LinkMessage {
  topic: string;
  payload: Buffer;
  retain: boolean;
  packet: IPublishPacket;
}

export interface LinkOptions {
  broker: BrokerSettings;
  clientId: string;
  will?: { topic: string; payload: string; qos: 0 | 1 | 2; retain: boolean };
  /**
   * Keep the broker-side session for this long (s) across disconnects, so QoS 1
   * messages published while this client is away (e.g. shares agents flush after a
   * broker restart, before this client resubscribed) are queued for it
   * (MQTT 5.0 §3.1.2.11.2). MQTT 5 only: 3.1.1 has no expiry, and a never-expiring
   * session per process run would pile up on the broker. 0/absent = clean session.
   */
  sessionExpiryS?: number;
  /** Log sink for one-line connection events; never receives secrets. */
  log?: (line: string) => void;
  random?: () => number;
}

interface OutboxEntry {
  topic: string;
  payload: string;
  inflight: boolean;
  /** Bumped per send, so a late callback of a dead connection cannot settle a newer send. */
  sendSeq: number;
}

type Handler = (msg: LinkMessage) => void;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Checks the security rules that must hold before any byte is sent. */
export function checkBrokerSecurity(b: BrokerSettings): void {
  const url = new URL(b.url);
  const plain = url.protocol === 'mqtt:' || url.protocol === 'ws:';
  if (plain && b.password !== '' && !LOOPBACK.has(url.hostname) && !b.allow_insecure) {
    throw new HashlingError('E_CONFIG', `refusing to send a password over plain ${url.protocol.slice(0, -1)} to ${url.hostname}; use mqtts:// or set broker.allow_insecure`);
  }
}

/** URL without credentials, safe for logs. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return '<invalid url>';
  }
}

export class MqttLink extends EventEmitter {
  private readonly opts: LinkOptions;
  private client: MqttClient | null = null;
  private readonly subs = new Map<string, IClientSubscribeOptions>();
  private readonly handlers: { filter: string; fn: Handler }[] = [];
  private readonly retained = new Map<string, string>();
  private readonly outbox: OutboxEntry[] = [];
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private connectedFlag = false;
  /** Outbox entries dropped because the outbox was full, since start. */
  dropped = 0;

  constructor(opts: LinkOptions) {
    super();
    this.opts = opts;
  }

  get connected(): boolean {
    return this.connectedFlag;
  }

  get outboxLength(): number {
    return this.outbox.length;
  }

  /** Starts connecting; resolves after the first attempt was made (not necessarily connected). */
  start(): void {
    checkBrokerSecurity(this.opts.broker);
    this.stopped = false;
    this.connect();
  }

  /** Resolves when connected (or immediately if already). */
  waitConnected(timeoutMs = 10_000): Promise<void> {
    if (this.connectedFlag) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => { this.off('connect', onConnect); reject(new HashlingError('E_BROKER', `not connected to ${redactUrl(this.opts.broker.url)} after ${timeoutMs} ms`)); }, timeoutMs);
      const onConnect = () => { clearTimeout(t); resolve(); };
      this.once('connect', onConnect);
    });
  }

  /**
   * `rap` (MQTT 5 Retain As Published, §3.8.3.1) keeps the retain flag on messages
   * forwarded live, so a handler can tell a retained publish from a normal one;
   * MQTT 3.1.1 brokers clear it on live delivery and ignore the option.
   */
  subscribe(filter: string, qos: 0 | 1 | 2, fn: Handler, opts: { rap?: boolean } = {}): void {
    const sub: IClientSubscribeOptions = { qos, ...(opts.rap ? { rap: true } : {}) };
    this.subs.set(filter, sub);
    this.handlers.push({ filter, fn });
    this.client?.subscribe(filter, sub);
  }

  /** Publishes a retained message now and again after every reconnect. */
  setRetained(topic: string, payload: string): void {
    this.retained.set(topic, payload);
    if (this.connectedFlag) this.client?.publish(topic, payload, { qos: 1, retain: true });
  }

  /** Fire-and-forget publish (telemetry); dropped while disconnected, never queued. */
  publishVolatile(topic: string, payload: string, opts: { qos?: 0 | 1; retain?: boolean; properties?: IClientOptions['properties'] } = {}): void {
    if (!this.connectedFlag || !this.client) return;
    this.client.publish(topic, payload, { qos: opts.qos ?? 0, retain: opts.retain ?? false, properties: opts.properties as never });
  }

  /** QoS 1 publish that survives disconnects: kept in the bounded outbox until PUBACK. */
  publishReliable(topic: string, payload: string): void {
    if (this.outbox.length >= this.opts.broker.outbox_size) {
      // Drop the oldest entry not already on the wire; the count is reported.
      const idx = this.outbox.findIndex((e) => !e.inflight);
      if (idx >= 0) this.outbox.splice(idx, 1);
      this.dropped++;
      this.emit('dropped', this.dropped);
    }
    const entry: OutboxEntry = { topic, payload, inflight: false, sendSeq: 0 };
    this.outbox.push(entry);
    this.send(entry);
  }

  /** Publishes the given messages (e.g. a clean `offline` status) and disconnects. */
  async stop(final?: { topic: string; payload: string; retain: boolean }[]): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const client = this.client;
    this.client = null;
    if (!client) return;
    if (this.connectedFlag && final) {
      await Promise.all(final.map((m) => client.publishAsync(m.topic, m.payload, { qos: 1, retain: m.retain }).catch(() => undefined)));
    }
    this.connectedFlag = false;
    // A normal DISCONNECT makes the broker discard the Last Will (MQTT 5.0 §3.14.4).
    await Promise.race([client.endAsync(false).catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
    client.end(true);
  }

  private send(entry: OutboxEntry): void {
    const client = this.client;
    if (!this.connectedFlag || !client || !client.connected || entry.inflight) return;
    entry.inflight = true;
    const seq = ++entry.sendSeq;
    client.publish(entry.topic, entry.payload, { qos: 1 }, (err) => {
      if (seq !== entry.sendSeq) return;
      entry.inflight = false;
      if (err) return; // stays in the outbox; re-sent after the next connect
      const i = this.outbox.indexOf(entry);
      if (i >= 0) this.outbox.splice(i, 1);
    });
  }

  private clientOptions(): IClientOptions {
    const b = this.opts.broker;
    const persistent = b.protocol_version === 5 && (this.opts.sessionExpiryS ?? 0) > 0;
    const o: IClientOptions = {
      clientId: this.opts.clientId,
      keepalive: b.keepalive_s,
      protocolVersion: b.protocol_version,
      clean: !persistent,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      resubscribe: false,
    };
    if (persistent) o.properties = { sessionExpiryInterval: this.opts.sessionExpiryS };
    if (b.username) o.username = b.username;
    if (b.password) o.password = b.password;
    if (b.ca) o.ca = readFileSync(b.ca);
    if (b.cert) o.cert = readFileSync(b.cert);
    if (b.key) o.key = readFileSync(b.key);
    if (b.ca || b.cert) o.rejectUnauthorized = true;
    if (this.opts.will) o.will = { ...this.opts.will, payload: Buffer.from(this.opts.will.payload) };
    return o;
  }

  private connect(): void {
    if (this.stopped) return;
    let client: MqttClient;
    try {
      client = mqtt.connect(this.opts.broker.url, this.clientOptions());
    } catch (err) {
      this.log(`E_BROKER cannot connect to ${redactUrl(this.opts.broker.url)}: ${(err as Error).message}`);
      this.scheduleReconnect();
      return;
    }
    this.client = client;
    client.on('connect', () => {
      if (this.client !== client) return;
      this.connectedFlag = true;
      // Nagle + the broker's delayed ACK held every answer written right after a
      // PUBACK for ~40 ms (the fuzz fault test measured 50-60 ms per work payload
      // answered; docs/reliability.md). MQTT packets are whole messages: send now.
      (client.stream as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true);
      if (this.attempt > 0) this.log(`connected to ${redactUrl(this.opts.broker.url)} after ${this.attempt} retries`);
      this.attempt = 0;
      for (const [filter, sub] of this.subs) client.subscribe(filter, sub);
      for (const [topic, payload] of this.retained) client.publish(topic, payload, { qos: 1, retain: true });
      // A fresh client has nothing in flight: whatever an old client never settled
      // (e.g. queued inside MQTT.js as its socket died) is sent again now.
      for (const e of this.outbox) {
        e.inflight = false;
        e.sendSeq++;
      }
      for (const e of this.outbox) this.send(e);
      this.emit('connect');
    });
    client.on('message', (topic, payload, packet) => {
      const msg: LinkMessage = { topic, payload, retain: packet.retain, packet };
      for (const h of this.handlers) if (topicMatches(h.filter, topic)) h.fn(msg);
    });
    client.on('error', (err) => {
      this.log(`E_BROKER ${redactUrl(this.opts.broker.url)}: ${err.message}`);
    });
    client.on('close', () => {
      if (this.client !== client) return;
      const was = this.connectedFlag;
      this.connectedFlag = false;
      for (const e of this.outbox) e.inflight = false;
      client.removeAllListeners('connect');
      client.end(true);
      this.client = null;
      if (was) {
        this.log(`disconnected from ${redactUrl(this.opts.broker.url)}`);
        this.emit('disconnect');
      }
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.timer) return;
    const delay = backoffDelay(
      { minMs: this.opts.broker.reconnect_min_ms, maxMs: this.opts.broker.reconnect_max_ms },
      this.attempt++,
      (this.opts.random ?? Math.random)(),
    );
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect();
    }, delay);
  }

  private log(line: string): void {
    this.opts.log?.(line);
  }
}
