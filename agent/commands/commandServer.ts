// The command component (docs/protocol.md, "Commands"): requests on
// `<base>/<id>/cmd/<verb>`, `<base>/group/<g>/cmd/<verb>` and `<base>/all/cmd/<verb>`,
// one response per request on `<base>/<id>/res/<verb>` and, when the request
// carries an MQTT 5 Response Topic, also there with its Correlation Data
// (MQTT 5.0 §4.10 Request / Response), so `mosquitto_rr` works.
//
// Contract
// - A Component: the constructor only assigns; start() subscribes; after stop()
//   nothing is executed or published (the link is stopped after us).
// - One catch point: every exception of a request becomes an error response.
// - Retained requests are never executed (Tasmota's "ghost switching": a stale
//   retained command would replay on every reconnect); each is reported as an
//   E_RETAINED_COMMAND warning event and gets no response.
// - Requests run one at a time in arrival order (pause then resume stays so).
// - A token bucket (commands.burst, commands.rate_per_min) limits requests per
//   device; beyond it the answer is E_RATE_LIMITED without running the verb.
import type { IClientPublishOptions } from 'mqtt';
import type { CommandsConfig } from '../../config/schema.ts';
import type { Component } from '../../lifecycle/component.ts';
import { errorResponse, okResponse, parseCommandPayload, peekTransaction, type CommandResponse } from '../../protocol/commands.ts';
import { HashlingError, toHashlingError } from '../../protocol/errors.ts';
import { commandFilters, parseCommandTopic, responseTopic } from '../../protocol/topics.ts';
import type { LinkMessage, MqttLink } from '../../transport/mqttLink.ts';
import { TokenBucket } from '../../lifecycle/tokenBucket.ts';
import type { CommandHost, VerbHandler } from './host.ts';
import { LedBlinker } from './led.ts';
import { budgetSet, budgetTarget, pause, ping, restart, resume, threadsSet } from './verbs/control.ts';
import { configGet, configSet } from './verbs/config.ts';
import { bench, identifyHandler, selftest } from './verbs/diagnostics.ts';

export interface CommandServerDeps {
  base: string;
  id: string;
  groups: readonly string[];
  /** commands.* at start; reconfigure() changes them live. */
  commands: CommandsConfig;
  link: Pick<MqttLink, 'subscribe' | 'publishVolatile'>;
  host: CommandHost;
  log: (line: string) => void;
}

export class CommandServer implements Component {
  readonly name = 'commands';
  private readonly d: CommandServerDeps;
  private verbs: Record<string, VerbHandler> = {};
  private bucket!: TokenBucket;
  private limits!: CommandsConfig;
  private readonly led = new LedBlinker();
  private readonly pending: Record<string, unknown> = {};
  private queue: Promise<void> = Promise.resolve();
  private running = false;

  constructor(deps: CommandServerDeps) {
    this.d = deps;
  }

  /** The verbs this agent answers. */
  get verbNames(): string[] {
    return Object.keys(this.verbs);
  }

  start(): void {
    const { link } = this.d;
    this.verbs = {
      pause, resume, ping, restart, bench, selftest,
      'budget/set': budgetSet,
      'budget/target': budgetTarget,
      'threads/set': threadsSet,
      'config/get': configGet,
      'config/set': configSet,
      identify: identifyHandler(this.led),
    };
    this.limits = this.d.commands;
    this.bucket = TokenBucket.perMinute(this.limits.burst, this.limits.rate_per_min, this.d.host.now());
    this.running = true;
    for (const filter of commandFilters(this.d.base, this.d.id, this.d.groups)) {
      link.subscribe(filter, 1, this.onMessage, { rap: true });
    }
  }

  /** Resolves after the request in progress; later ones are dropped unanswered. */
  async stop(): Promise<void> {
    this.running = false;
    this.led.stop();
    await this.queue;
  }

  private readonly onMessage = (msg: LinkMessage): void => {
    if (!this.running) return;
    const { host } = this.d;
    const target = parseCommandTopic(this.d.base, this.d.id, this.d.groups, msg.topic);
    if (!target) return;
    if (msg.retain) {
      // An empty retained message is the broker forwarding a clear of that topic.
      if (msg.payload.length === 0) return;
      host.event('warning', 'E_RETAINED_COMMAND', `ignored retained command on ${msg.topic}; clear it with an empty retained publish (mosquitto_pub -r -n -t '${msg.topic}')`);
      return;
    }
    this.queue = this.queue.then(() => this.handle(target.verb, msg));
  };

  // --- the one catch point of the command input path ---
  private async handle(verb: string, msg: LinkMessage): Promise<void> {
    if (!this.running) return;
    const { host } = this.d;
    let transaction = peekTransaction(msg.payload);
    let response: CommandResponse;
    let after: (() => void) | undefined;
    try {
      if (!this.bucket.take(host.now())) {
        throw new HashlingError('E_RATE_LIMITED', `more than ${this.limits.burst} commands in a burst; next accepted in ${this.bucket.waitMs(host.now())} ms`);
      }
      const req = parseCommandPayload(msg.payload);
      transaction = req.transaction;
      const handler = Object.hasOwn(this.verbs, verb) ? this.verbs[verb] : undefined;
      if (!handler) throw new HashlingError('E_UNKNOWN_COMMAND', `unknown command "${verb}"; known: ${Object.keys(this.verbs).sort().join(', ')}`);
      const reply = await handler({ host, args: req.args, pending: this.pending });
      response = okResponse(host.deviceId, reply.data, transaction);
      after = reply.after;
    } catch (err) {
      const e = toHashlingError(err);
      const data = (err as { data?: Record<string, unknown> }).data ?? {};
      response = errorResponse(host.deviceId, e, transaction, data);
      if (e.code === 'E_INTERNAL') this.d.log(`E_INTERNAL command ${verb}: ${(err as Error).stack ?? e.message}`);
    }
    if (!this.running) return;
    this.respond(verb, msg, response);
    after?.();
  }

  private respond(verb: string, msg: LinkMessage, response: CommandResponse): void {
    const { link } = this.d;
    const body = JSON.stringify(response);
    link.publishVolatile(responseTopic(this.d.base, this.d.id, verb), body, { qos: 1 });
    const props = msg.packet.properties;
    if (props?.responseTopic) {
      // MQTT 5.0 §4.10.2: the responder sends to the Response Topic and copies the
      // Correlation Data unchanged.
      const properties: IClientPublishOptions['properties'] = props.correlationData ? { correlationData: props.correlationData } : {};
      link.publishVolatile(props.responseTopic, body, { qos: 1, properties: properties as never });
    }
  }

  /** The limits in force (config/get). */
  current(): CommandsConfig {
    return this.limits ?? this.d.commands;
  }

  /** New command limits (config/set of commands.*), validated already. */
  reconfigure(next: CommandsConfig): void {
    this.limits = next;
    this.bucket.reconfigure(next.burst, next.rate_per_min, this.d.host.now());
  }
}
