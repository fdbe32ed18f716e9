// One MQTT connection with the behaviour a fleet needs: jittered exponential
// reconnect, subscriptions and retained topics restored after every reconnect
// (brokers may not persist retained messages), and a bounded outbox
// (transport/outbox.ts) for messages that must not be lost (shares, results).
//
// Each connection attempt uses a fresh MQTT.js client with its own reconnect off:
// MQTT.js would otherwise resend or queue unacknowledged publishes on its own,
// unbounded, and the outbox could not know what reached the broker.
//
// Lifecycle: a Component. start() checks the broker settings (E_CONFIG before
// any byte is sent) and begins connecting without waiting; stop() publishes the
// final messages it is given, disconnects cleanly (the broker then drops the
// Last Will) and arms nothing after it resolves.
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type IClientSubscribeOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { brokerProblems } from '../config/rules.ts';
import type { BrokerConfig } from '../config/schema.ts';
import type { Component } from '../lifecycle/component.ts';
import { systemClock, type Clock, type TimerHandle } from '../lifecycle/clock.ts';
import { HashlingError } from '../protocol/errors.ts';
import { topicMatches } from '../protocol/topics.ts';
import { backoffDelay } from './backoff.ts';
import { Outbox, type OutboxEntry } from './outbox.ts';
import { OutboxJournal } from './outboxJournal.ts';

export type BrokerSettings = Omit<BrokerConfig, 'password_file'> & { password_file?: string };

export interface LinkMessage {
  topic: string;
  payload: Buffer;
  retain: boolean;
  packet: IPublishPacket;
}

export interface LinkOptions {
  broker: BrokerSettings;
  clientId: string;
  /**
   * The Last Will; a function is called at every connect, so its payload can
   * carry that connection's time (the broker publishes it later, when it notices).
   */
  will?: WillSpec | (() => WillSpec);
  /**
   * Keep the broker-side session for this long (s) across disconnects, so QoS 1
   * messages published while this client is away (e.g. shares agents flush after a
   * broker restart, before this client resubscribed) are queued for it
   * (MQTT 5.0 §3.1.2.11.2). MQTT 5 only: 3.1.1 has no expiry, and a never-expiring
   * session per process run would pile up on the broker. 0/absent = clean session.
   */
  sessionExpiryS?: number;
  /** Unacknowledged messages with an ack key go out again after this long (default 30 s). */
  resendUnackedMs?: number;
  /** Keep the outbox in this journal file too, so it survives a restart (transport/outboxJournal.ts). */
  journalPath?: string;
  /**
   * Largest packet this client accepts (MQTT 5 Maximum Packet Size, §3.1.2.11.4).
   * Not set by hashling's own components: Mosquitto 2.0.11 keeps a QoS 1 message
   * too big for a client in that client's in-flight window, so 20 of them stop
   * every later delivery to it (test/transport/brokerQuirks.test.ts) — a device
   * account could then silence the coordinator. Inputs are capped after receipt
   * instead (protocol/json.ts).
   */
  maxPacketBytes?: number;
  /** Log sink for one-line connection events; never receives secrets. */
  log?: (line: string) => void;
  random?: () => number;
  clock?: Clock;
}

export interface WillSpec { topic: string; payload: string; qos: 0 | 1 | 2; retain: boolean }

type Handler = (msg: LinkMessage) => void;

/** MQTT 3.1.1 CONNACK codes 4/5 (§3.2.2.3) and MQTT 5 reason codes 0x86/0x87 (§3.2.2.2): credentials refused. */
const AUTH_REFUSED = new Set([4, 5, 0x86, 0x87]);

/** Checks the security rules that must hold before any byte is sent. */
export function checkBrokerSecurity(b: BrokerSettings): void {
  const problems = brokerProblems({ password_file: '', ...b } as BrokerConfig);
  if (problems.length > 0) throw new HashlingError('E_CONFIG', problems.join('; '));
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

export class MqttLink extends EventEmitter implements Component {
  readonly name = 'link';
  private readonly opts: LinkOptions;
  private client: MqttClient | null = null;
  private readonly subs = new Map<string, IClientSubscribeOptions>();
  private readonly handlers: { filter: string; fn: Handler }[] = [];
  private readonly retained = new Map<string, string | (() => string)>();
  private outbox!: Outbox;
  private journal: OutboxJournal | null = null;
  private syncTimer: TimerHandle | null = null;
  private attempt = 0;
  private everConnected = false;
  private timer: TimerHandle | null = null;
  private resendTimer: TimerHandle | null = null;
  private stopped = true;
  private connectedFlag = false;

  constructor(opts: LinkOptions) {
    super();
    this.opts = opts;
  }

  private get clock(): Clock {
    return this.opts.clock ?? systemClock;
  }

  get connected(): boolean {
    return this.connectedFlag;
  }

  get outboxLength(): number {
    return this.outbox?.length ?? 0;
  }

  /** Outbox entries dropped because the outbox was full, since start. */
  get dropped(): number {
    return this.outbox?.dropped ?? 0;
  }

  /** Checks the settings and starts connecting; does not wait for the broker. */
  start(): void {
    checkBrokerSecurity(this.opts.broker);
    const journal = this.opts.journalPath ? new OutboxJournal(this.opts.journalPath, (l) => this.log(l)) : null;
    this.outbox = new Outbox({
      limit: this.opts.broker.outbox_size,
      window: Math.max(1, Math.min(64, Math.floor(this.opts.broker.outbox_size / 2))),
      onRemove: journal ? (e) => journal.removed(e.id, () => [...this.outbox.snapshot()]) : undefined,
    });
    if (journal) {
      this.outbox.restore(journal.open());
      if (this.outbox.length > 0) this.log(`${this.outbox.length} shares/results kept from the last run will be sent`);
      this.journal = journal;
      this.syncTimer = this.clock.setInterval(() => journal.sync(), 1000);
    }
    this.stopped = false;
    const every = this.opts.resendUnackedMs ?? 30_000;
    this.resendTimer = this.clock.setInterval(() => {
      if (this.outbox.requeueUnacked(this.clock.now(), every) > 0) this.flush();
    }, Math.max(1000, every / 4));
    this.connect();
  }

  /** Resolves when connected (or immediately if already). */
  waitConnected(timeoutMs = 10_000): Promise<void> {
    if (this.connectedFlag) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = this.clock.setTimeout(() => {
        this.off('connect', onConnect);
        reject(new HashlingError('E_UNAVAILABLE', `not connected to ${redactUrl(this.opts.broker.url)} after ${timeoutMs} ms`));
      }, timeoutMs);
      const onConnect = () => { this.clock.clearTimeout(t); resolve(); };
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

  /**
   * Publishes a retained message now and again after every reconnect (an empty
   * payload clears the topic). A function is called at each publish, so the
   * message can carry the time of the connect it goes out on.
   */
  setRetained(topic: string, payload: string | (() => string)): void {
    this.retained.set(topic, payload);
    if (this.connectedFlag) this.client?.publish(topic, retainedText(payload), { qos: 1, retain: true });
  }

  /** Fire-and-forget publish (telemetry, events, responses); dropped while disconnected, never queued. */
  publishVolatile(topic: string, payload: string, opts: { qos?: 0 | 1; retain?: boolean; properties?: IClientOptions['properties'] } = {}): void {
    if (!this.connectedFlag || !this.client) return;
    this.client.publish(topic, payload, { qos: opts.qos ?? 0, retain: opts.retain ?? false, properties: opts.properties as never });
  }

  /**
   * QoS 1 publish that survives disconnects: kept in the bounded outbox until the
   * broker's PUBACK or, with an ack key, until ack(key) (the receiver's own
   * acknowledgement). Emits 'dropped' (total, entry) when the outbox had to drop one.
   */
  publishReliable(topic: string, payload: string, ackKey: string | null = null): void {
    const { dropped, entry } = this.outbox.push(topic, payload, ackKey);
    if (entry) this.journal?.added(entry);
    if (dropped) this.emit('dropped', this.outbox.dropped, dropped);
    this.flush();
  }

  /** The receiver acknowledged the message published with this key. */
  ack(key: string): boolean {
    const had = this.outbox.ack(key);
    if (had) this.flush();
    return had;
  }

  /** Publishes the given messages (e.g. a clean `offline` status) and disconnects. */
  async stop(final?: { topic: string; payload: string; retain: boolean }[]): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    if (this.resendTimer !== null) this.clock.clearInterval(this.resendTimer);
    if (this.syncTimer !== null) this.clock.clearInterval(this.syncTimer);
    this.timer = null;
    this.resendTimer = null;
    this.syncTimer = null;
    const client = this.client;
    this.client = null;
    if (!client) {
      this.journal?.close();
      return;
    }
    if (this.connectedFlag && final) {
      await Promise.all(final.map((m) => client.publishAsync(m.topic, m.payload, { qos: 1, retain: m.retain }).catch(() => undefined)));
    }
    this.connectedFlag = false;
    // A normal DISCONNECT makes the broker discard the Last Will (MQTT 5.0 §3.14.4).
    await Promise.race([client.endAsync(false).catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
    client.end(true);
    // After the last PUBACKs: what is still unacknowledged stays in the journal for the next start.
    this.journal?.close();
  }

  /** Puts queued outbox entries on the wire, within the outbox's window. */
  private flush(): void {
    const client = this.client;
    if (!this.connectedFlag || !client || !client.connected) return;
    for (const e of this.outbox.takeSendable()) this.send(client, e);
  }

  private send(client: MqttClient, entry: OutboxEntry): void {
    const seq = entry.sendSeq;
    client.publish(entry.topic, entry.payload, { qos: 1 }, (err) => {
      if (err) this.outbox.onSendFailed(entry, seq);
      else this.outbox.onPuback(entry, seq, this.clock.now());
      this.flush();
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
      // MQTT.js otherwise pre-builds a 2-byte Buffer for each of the 65,536 packet
      // ids on the first packet: 6 MB of heap on a device (docs/footprint.md).
      writeCache: false,
    };
    if (b.protocol_version === 5) {
      o.properties = {
        ...(persistent ? { sessionExpiryInterval: this.opts.sessionExpiryS } : {}),
        ...(this.opts.maxPacketBytes ? { maximumPacketSize: this.opts.maxPacketBytes } : {}),
      };
    }
    if (b.username) o.username = b.username;
    if (b.password) o.password = b.password;
    if (b.ca) o.ca = readFileSync(b.ca);
    if (b.cert) o.cert = readFileSync(b.cert);
    if (b.key) o.key = readFileSync(b.key);
    if (b.ca || b.cert) o.rejectUnauthorized = true;
    const will = typeof this.opts.will === 'function' ? this.opts.will() : this.opts.will;
    if (will) o.will = { ...will, payload: Buffer.from(will.payload) };
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
      this.log(`connected to ${redactUrl(this.opts.broker.url)}${this.attempt > 0 ? ` after ${this.attempt} retries` : ''}`);
      this.attempt = 0;
      this.everConnected = true;
      for (const [filter, sub] of this.subs) client.subscribe(filter, sub);
      for (const [topic, payload] of this.retained) client.publish(topic, retainedText(payload), { qos: 1, retain: true });
      // A fresh client has nothing in flight: whatever an old client never settled
      // (e.g. queued inside MQTT.js as its socket died) is sent again now.
      this.outbox.onReconnect();
      this.flush();
      this.emit('connect');
    });
    client.on('message', (topic, payload, packet) => {
      const msg: LinkMessage = { topic, payload, retain: packet.retain, packet };
      for (const h of this.handlers) if (topicMatches(h.filter, topic)) h.fn(msg);
    });
    client.on('error', (err: Error & { code?: number | string }) => {
      if (this.stopped || this.client !== client) return;
      if (typeof err.code === 'number' && AUTH_REFUSED.has(err.code)) {
        const refused = new HashlingError('E_NOT_AUTHORIZED', `${redactUrl(this.opts.broker.url)} refused this client's credentials (${err.message})`);
        this.log(`${refused.code} ${refused.message}`);
        // Refused before it ever connected: the credentials are wrong, not the broker busy.
        if (!this.everConnected) this.emit('refused', refused);
        return;
      }
      this.log(`E_BROKER ${redactUrl(this.opts.broker.url)}: ${err.message}`);
    });
    client.on('close', () => {
      if (this.client !== client) return;
      const was = this.connectedFlag;
      this.connectedFlag = false;
      this.outbox.onReconnect();
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
    if (this.stopped || this.timer !== null) return;
    const delay = backoffDelay(
      { minMs: this.opts.broker.reconnect_min_ms, maxMs: this.opts.broker.reconnect_max_ms },
      this.attempt++,
      (this.opts.random ?? Math.random)(),
    );
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.connect();
    }, delay);
  }

  private log(line: string): void {
    this.opts.log?.(line);
  }
}

function retainedText(payload: string | (() => string)): string {
  return typeof payload === 'function' ? payload() : payload;
}
