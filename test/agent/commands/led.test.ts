// identify: the ACT LED through a fake sysfs tree (never the real /sys).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activeTrigger, findActLed, LedBlinker } from '../../../agent/commands/led.ts';

function fakeLed(name: string): { root: string; dir: string } {
  const root = mkdtempSync(join(tmpdir(), 'hashling-leds-'));
  const dir = join(root, 'class', 'leds', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'trigger'), 'none rc-feedback kbd-scrolllock [mmc0] timer heartbeat\n');
  writeFileSync(join(dir, 'brightness'), '0\n');
  writeFileSync(join(dir, 'max_brightness'), '255\n');
  return { root, dir };
}

test('the ACT LED is found under its new and old names, or not at all', () => {
  assert.equal(findActLed(fakeLed('ACT').root)?.endsWith('/class/leds/ACT'), true);
  assert.equal(findActLed(fakeLed('led0').root)?.endsWith('/class/leds/led0'), true);
  assert.equal(findActLed(fakeLed('PWR').root), null);
  assert.equal(findActLed('/nonexistent'), null);
});

test('the active trigger is the bracketed one', () => {
  assert.equal(activeTrigger('none [mmc0] timer'), 'mmc0');
  assert.equal(activeTrigger('[none] timer'), 'none');
  assert.equal(activeTrigger('none timer'), null);
});

test('blinking toggles brightness, then restores the trigger and brightness', async () => {
  const { dir } = fakeLed('ACT');
  const led = new LedBlinker();
  led.blink(dir, 400, 50);
  assert.equal(readFileSync(join(dir, 'trigger'), 'utf8'), 'none');
  const seen = new Set<string>();
  for (let i = 0; i < 6; i++) {
    seen.add(readFileSync(join(dir, 'brightness'), 'utf8'));
    await new Promise((r) => setTimeout(r, 30));
  }
  assert.deepEqual([...seen].sort(), ['0', '255']);
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(led.blinking, false);
  assert.equal(readFileSync(join(dir, 'trigger'), 'utf8'), 'mmc0');
  assert.equal(readFileSync(join(dir, 'brightness'), 'utf8'), '0');
});
