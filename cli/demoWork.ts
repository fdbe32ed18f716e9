// The demo's work source: real sha256d units over random headers, at a share
// target easy enough for a share every few seconds, sized from the device's
// reported results. It speaks only the public wire contract, like a coordinator.
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { deviceTopic } from '../protocol/topics.ts';

export interface DemoWorkOptions {
  url: string;
  base: string;
  deviceId: string;
  shareIntervalS: number;
  protocolVersion: 4 | 5;
}

const TWO_256 = 1n << 256n;

/** Share target for about one share per `seconds` at `hps` hashes/s, as 64 hex. */
export function targetForRate(hps: number, seconds: number): string {
  const expectedHashes = BigInt(Math.max(1, Math.round(hps * seconds)));
  const t = TWO_256 / expectedHashes - 1n;
  return t.toString(16).padStart(64, '0');
}

export class DemoWork {
  private readonly opts: DemoWorkOptions;
  private client: MqttClient | null = null;
  private hps = 500_000;
  private seq = 0;
  private job = 0;

  constructor(opts: DemoWorkOptions) {
    this.opts = opts;
  }

  async start(): Promise<void> {
    const { url, base, deviceId, protocolVersion } = this.opts;
    const client = await mqtt.connectAsync(url, { clientId: `hashling-demo-work-${process.pid}`, protocolVersion });
    this.client = client;
    client.on('message', (topic, payload) => {
      if (!topic.endsWith('/results')) return;
      try {
        const r = JSON.parse(payload.toString()) as { hashes: number; elapsed_ms: number; status: string };
        if (r.status === 'done' && r.elapsed_ms > 0) this.hps = 0.5 * this.hps + 0.5 * ((r.hashes * 1000) / r.elapsed_ms);
      } catch {
        return;
      }
      this.sendUnit();
    });
    await client.subscribeAsync(deviceTopic(base, deviceId, 'results'), { qos: 1 });
    // Two units: one to hash now, one queued so the device never idles.
    this.sendUnit();
    this.sendUnit();
  }

  async stop(): Promise<void> {
    await this.client?.endAsync();
    this.client = null;
  }

  private sendUnit(): void {
    if (!this.client) return;
    if (this.seq % 4 === 0) this.job++;
    const header = randomBytes(80).toString('hex');
    const count = Math.max(1, Math.min(0xffffffff, Math.round(this.hps * 10)));
    const unit = {
      v: 1,
      unit_id: `demo-${this.job}-${++this.seq}`,
      job_id: `demo-${this.job}`,
      algo: 'sha256d',
      header,
      nonce_start: 0,
      nonce_end: count - 1,
      target: targetForRate(this.hps, this.opts.shareIntervalS),
      clean: false,
    };
    this.client.publish(deviceTopic(this.opts.base, this.opts.deviceId, 'work'), JSON.stringify(unit), { qos: 1 });
  }
}
