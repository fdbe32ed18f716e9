// Section `mqtt`: where hashling's topics live on the broker.
import { topicPrefix } from './formats.ts';
import { key } from './spec.ts';

export const mqtt = {
  base_topic: key({ doc: 'Base topic <base> of every hashling topic.', format: topicPrefix, default: 'hashling', restart: true }),
};
