// Subscribes to topics and lets a test wait for the messages it expects.
import mqtt, { type MqttClient, type IClientOptions } from 'mqtt';
import { topicMatches } from '../../protocol/topics.ts';

export interface Msg {
  topic: string;
  json: any;
  raw: string;
  retain: boolean;
  at: number;
}

export class Collector {
  readonly messages: Msg[] = [];
  client!: MqttClient;
  private waiters: { pred: (m: Msg) => boolean; resolve: (m: Msg) => void }[] = [];

  static async connect(url: string, filters: string[], opts: IClientOptions = {}): Promise<Collector> {
    const c = new Collector();
    c.client = await mqtt.connectAsync(url, { reconnectPeriod: 200, ...opts });
    c.client.on('message', (topic, payload, packet) => {
      let json: unknown = null;
      try { json = JSON.parse(payload.toString()); } catch { json = null; }
      const m: Msg = { topic, json, raw: payload.toString(), retain: packet.retain, at: Date.now() };
      c.messages.push(m);
      c.waiters = c.waiters.filter((w) => (w.pred(m) ? (w.resolve(m), false) : true));
    });
    await c.client.subscribeAsync(filters.map((f) => f), { qos: 1 });
    return c;
  }

  on(filter: string): Msg[] {
    return this.messages.filter((m) => topicMatches(filter, m.topic));
  }

  /** Waits for a message on filter matching pred (already received ones count). */
  wait(filter: string, pred: (json: any, m: Msg) => boolean = () => true, timeoutMs = 15_000): Promise<Msg> {
    const test = (m: Msg) => topicMatches(filter, m.topic) && pred(m.json, m);
    const found = this.messages.find(test);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timeout waiting for ${filter}; got:\n${this.messages.slice(-15).map((m) => `${m.topic} ${m.raw.slice(0, 200)}`).join('\n')}`)), timeoutMs);
      this.waiters.push({ pred: test, resolve: (m) => { clearTimeout(t); resolve(m); } });
    });
  }

  async publish(topic: string, payload: string | Buffer, opts: { retain?: boolean } = {}): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: 1, retain: opts.retain ?? false });
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
