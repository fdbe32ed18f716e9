// `info` facts: the board model from the device tree under sensors.sysfs_root
// (fixture trees, never the host's), and the systeminformation details mapped to
// snake_case fields without anything that identifies the unit (serial, UUID).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { deviceModel, hostDetailsFrom, hostFacts, readHostDetails } from '../../agent/deviceInfo.ts';

const tree = (name: string) => fileURLToPath(new URL(`../fixtures/sysfs/${name}`, import.meta.url));

test('the model comes from the device tree under the sysfs root, else the CPU model', () => {
  assert.equal(deviceModel(tree('pi4')), 'Raspberry Pi 4 Model B Rev 1.4');
  assert.equal(hostFacts(tree('pi5')).model, deviceModel(tree('pi5')));
  assert.match(deviceModel(tree('pi5')), /^Raspberry Pi 5/);
  // A tree without a device tree names the CPU, not whatever board the test host is.
  assert.equal(deviceModel(tree('x86')), cpus()[0]!.model.trim());
});

test('systeminformation answers become info fields; empty and identifying values are left out', () => {
  const d = hostDetailsFrom(
    { manufacturer: 'Raspberry Pi Foundation', model: 'Raspberry Pi 4 Model B', version: '1.4', virtual: false, raspberry: { type: '4B', revision: 'c03114' }, serial: '10000000abcdef', uuid: 'x' } as never,
    { distro: 'Debian GNU/Linux', release: '12', codename: 'bookworm', kernel: '6.6.51+rpt-rpi-v8', hostname: 'pi-042' } as never,
    { manufacturer: 'ARM', brand: 'Cortex-A72', cores: 4, physicalCores: 4, speedMax: 1.8 } as never,
    { total: 4 * 2 ** 30 },
  );
  assert.deepEqual(d, {
    device: { manufacturer: 'Raspberry Pi Foundation', model: 'Raspberry Pi 4 Model B', revision: 'c03114' },
    os: { distro: 'Debian GNU/Linux', release: '12', codename: 'bookworm', kernel: '6.6.51+rpt-rpi-v8' },
    cpu: { manufacturer: 'ARM', brand: 'Cortex-A72', cores: 4, physical_cores: 4, max_ghz: 1.8 },
    mem_total_mb: 4096,
  });
  assert.doesNotMatch(JSON.stringify(d), /abcdef|pi-042|uuid|serial|hostname/);
  const bare = hostDetailsFrom({ manufacturer: '', model: '-', version: '', virtual: true }, { distro: '', release: '', codename: '', kernel: '' }, { manufacturer: '', brand: '', cores: 0, physicalCores: 0, speedMax: 0 }, { total: 0 });
  assert.deepEqual(bare, { device: { virtual: true } });
});

test('on this host systeminformation reports the kernel node:os reports', async () => {
  const { release } = await import('node:os');
  const d = await readHostDetails();
  assert.equal(d.os?.kernel, release());
  assert.equal(d.cpu?.cores, cpus().length);
});
