// Section `device`: who this agent is on the broker.
import { defaultDeviceId, deviceId, groupList } from './formats.ts';
import { key } from './spec.ts';

export const device = {
  id: key({
    doc: 'Device id, used as the topic level <id>. Default: the hostname, sanitized. Reserved: all, group, coordinator.',
    format: deviceId, default: defaultDeviceId(), defaultDoc: 'hostname', arg: 'device-id', restart: true,
  }),
  groups: key<string[]>({
    doc: 'Groups this device belongs to (comma-separated in env); it answers <base>/group/<g>/cmd/#.',
    format: groupList, default: [], restart: true,
  }),
};
