// Section `discovery`: Home Assistant MQTT device discovery.
import { bool, topicPrefix } from './formats.ts';
import { key } from './spec.ts';

export const discovery = {
  homeassistant: key({ doc: 'Publish Home Assistant MQTT device discovery (retained <prefix>/device/<id>/config) and re-publish it when <prefix>/status is online.', format: bool, default: true, restart: true }),
  prefix: key({ doc: 'Home Assistant discovery prefix.', format: topicPrefix, default: 'homeassistant', restart: true }),
};
