import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildHaDiscovery, HA_TEMP_TARGET_C } from '../../protocol/homeAssistant.ts';

const msg = buildHaDiscovery({ base: 'farm', id: 'pi-7', prefix: 'ha', version: '1.2.3', model: 'Raspberry Pi 4' });
const p = msg.payload as any;

test('the device discovery message goes to <prefix>/device/<id>/config', () => {
  assert.equal(msg.topic, 'ha/device/pi-7/config');
});

test('it carries the mandatory dev and o mappings and availability from status', () => {
  assert.deepEqual(p.dev.ids, ['hashling_pi-7']);
  assert.equal(p.dev.name, 'pi-7');
  assert.equal(p.o.name, 'hashling');
  assert.equal(p.o.sw, '1.2.3');
  assert.equal(p.availability[0].topic, 'farm/pi-7/status');
});

test('every component has a platform and a unique id, and the required entities are there', () => {
  const cmps = p.cmps as Record<string, any>;
  assert.deepEqual(Object.keys(cmps).sort(), ['hashrate', 'pause', 'power', 'resume', 'shares', 'state', 'temp_target', 'temperature', 'throttle']);
  const ids = new Set<string>();
  for (const [k, c] of Object.entries(cmps)) {
    assert.ok(['sensor', 'button', 'number'].includes(c.p), k);
    assert.match(c.unique_id, /^hashling_pi-7_/);
    ids.add(c.unique_id);
    if (c.p === 'sensor') assert.match(c.state_topic, /^farm\/pi-7\/(telemetry|state)$/);
    if (c.p !== 'sensor') assert.match(c.command_topic, /^farm\/pi-7\/cmd\/(pause|resume|budget\/target)$/);
  }
  assert.equal(ids.size, Object.keys(cmps).length, 'unique ids are unique');
  assert.equal(cmps.pause.command_topic, 'farm/pi-7/cmd/pause');
  assert.equal(cmps.temp_target.command_template.replace('{{ value }}', '61.5'), '{"v":1,"temp_target_c":61.5}');
});

test('the temperature number sends budget/target to its one device, within the range that verb accepts', () => {
  const n = p.cmps.temp_target;
  assert.equal(n.command_topic, 'farm/pi-7/cmd/budget/target');
  assert.deepEqual([n.min, n.max], [HA_TEMP_TARGET_C.min, HA_TEMP_TARGET_C.max]);
  assert.deepEqual(HA_TEMP_TARGET_C, { min: 30, max: 90 });
  // Nothing HA is offered goes to the fleet or a group.
  for (const c of Object.values(p.cmps as Record<string, any>)) if (c.command_topic) assert.doesNotMatch(c.command_topic, /\/(all|group)\//);
});

test('the availability template maps only online to available', () => {
  const tpl: string = p.availability[0].value_template;
  assert.match(tpl, /value_json\.state == 'online'/);
  assert.equal(p.availability[0].payload_available, 'online');
  assert.equal(p.availability[0].payload_not_available, 'offline');
});
