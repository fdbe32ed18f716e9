// Publishes the Home Assistant discovery message (haPayload.ts) retained, and
// again whenever HA announces itself: HA publishes `online` on `<prefix>/status`
// (its birth message) after a restart, and a broker without persistence may have
// lost retained messages (HA docs, "Using the birth message"). The link already
// re-publishes it after every reconnect of the agent.
import type { HashlingConfig } from '../../config/load.ts';
import type { DiscoveryConfig } from '../../config/commands.ts';
import type { LinkMessage, MqttLink } from '../../transport/mqttLink.ts';
import { buildHaDiscovery, type DiscoveryMessage } from './haPayload.ts';

export interface HaDiscoveryDeps {
  config: HashlingConfig;
  link: MqttLink;
  device: { version: string; model: string };
}

export class HaDiscovery {
  private readonly d: HaDiscoveryDeps;
  private message: DiscoveryMessage | null = null;
  private running = false;

  constructor(deps: HaDiscoveryDeps) {
    this.d = deps;
  }

  start(): void {
    const disc = this.d.config.discovery as unknown as DiscoveryConfig;
    if (!disc.homeassistant) return;
    this.running = true;
    this.message = buildHaDiscovery(this.d.config, this.d.device);
    this.d.link.setRetained(this.message.topic, JSON.stringify(this.message.payload));
    this.d.link.subscribe(`${disc.prefix}/status`, 1, this.onHaStatus);
  }

  /** Leaves the retained config in place: HA shows the device unavailable via `status`. */
  stop(): void {
    this.running = false;
  }

  private readonly onHaStatus = (msg: LinkMessage): void => {
    if (!this.running || !this.message || msg.payload.toString().trim() !== 'online') return;
    this.d.link.setRetained(this.message.topic, JSON.stringify(this.message.payload));
  };
}
