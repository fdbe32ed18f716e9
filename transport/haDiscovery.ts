// Keeps Home Assistant MQTT discovery messages (protocol/homeAssistant.ts)
// published: retained when started, after every reconnect (the link re-publishes
// retained topics), and again whenever HA announces itself with `online` on
// `<prefix>/status` (its birth message) after a restart, because a broker without
// persistence may have lost them (HA docs, "Using the birth message").
// Used by the agent for itself and by the coordinator for what it announces.
import type { Component } from '../lifecycle/component.ts';
import type { DiscoveryMessage } from '../protocol/homeAssistant.ts';
import { haStatusTopic } from '../protocol/topics.ts';
import type { LinkMessage, MqttLink } from './mqttLink.ts';

export interface HaDiscoveryDeps {
  link: MqttLink;
  /** discovery.homeassistant and discovery.prefix */
  discovery: { readonly homeassistant: boolean; readonly prefix: string };
}

export class HaDiscovery implements Component {
  readonly name = 'discovery';
  private readonly d: HaDiscoveryDeps;
  private readonly messages = new Map<string, DiscoveryMessage>();
  private running = false;
  private subscribed = false;

  constructor(deps: HaDiscoveryDeps) {
    this.d = deps;
  }

  start(): void {
    if (!this.d.discovery.homeassistant) return;
    this.running = true;
    for (const m of this.messages.values()) this.publish(m);
    if (!this.subscribed) {
      this.subscribed = true;
      this.d.link.subscribe(haStatusTopic(this.d.discovery.prefix), 1, this.onHaStatus);
    }
  }

  /** Leaves the retained configs in place: HA shows a device unavailable through its status topic. */
  stop(): void {
    this.running = false;
  }

  /** Announces (or re-announces) one device. */
  announce(message: DiscoveryMessage): void {
    this.messages.set(message.topic, message);
    if (this.running) this.publish(message);
  }

  /** Removes a device from Home Assistant (an empty retained config). */
  withdraw(topic: string): void {
    this.messages.delete(topic);
    if (this.running) this.d.link.setRetained(topic, '');
  }

  private publish(m: DiscoveryMessage): void {
    this.d.link.setRetained(m.topic, JSON.stringify(m.payload));
  }

  private readonly onHaStatus = (msg: LinkMessage): void => {
    if (!this.running || msg.payload.toString().trim() !== 'online') return;
    for (const m of this.messages.values()) this.publish(m);
  };
}
