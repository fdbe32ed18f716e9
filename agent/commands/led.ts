// The Raspberry Pi activity LED through the Linux LED class (Documentation/leds/
// leds-class.rst): <sysfs>/class/leds/ACT (Pi 4/5, newer kernels) or led0 (older).
// Blinking = trigger "none", then brightness toggled; the previous trigger
// (usually mmc0 = SD card activity) is restored afterwards.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The LED directory, or null when this device has none. */
export function findActLed(sysfsRoot: string): string | null {
  for (const name of ['ACT', 'led0']) {
    const dir = join(sysfsRoot, 'class', 'leds', name);
    if (existsSync(join(dir, 'brightness'))) return dir;
  }
  return null;
}

/** The active trigger of a `trigger` file ("none rc-feedback [mmc0] timer" → "mmc0"). */
export function activeTrigger(text: string): string | null {
  const m = /\[([^\]]+)\]/.exec(text);
  return m ? m[1] : null;
}

export class LedBlinker {
  private timer: NodeJS.Timeout | null = null;
  private endTimer: NodeJS.Timeout | null = null;
  private restore: (() => void) | null = null;

  /** Starts blinking for durationMs (a running blink is restarted). Throws if the files are not writable. */
  blink(dir: string, durationMs: number, periodMs = 250): void {
    this.stop();
    const triggerFile = join(dir, 'trigger');
    const hasTrigger = existsSync(triggerFile);
    const previous = hasTrigger ? activeTrigger(readFileSync(triggerFile, 'utf8')) : null;
    const brightnessFile = join(dir, 'brightness');
    const previousBrightness = readFileSync(brightnessFile, 'utf8').trim();
    let max = '1';
    try { max = readFileSync(join(dir, 'max_brightness'), 'utf8').trim() || '1'; } catch { /* default 1 */ }
    if (hasTrigger) writeFileSync(triggerFile, 'none');
    let on = false;
    const toggle = () => {
      on = !on;
      writeFileSync(brightnessFile, on ? max : '0');
    };
    toggle();
    this.restore = () => {
      writeFileSync(brightnessFile, previousBrightness);
      if (hasTrigger && previous) writeFileSync(triggerFile, previous);
    };
    this.timer = setInterval(() => { try { toggle(); } catch { this.stop(); } }, periodMs);
    this.timer.unref();
    this.endTimer = setTimeout(() => this.stop(), durationMs);
    this.endTimer.unref();
  }

  get blinking(): boolean {
    return this.timer !== null;
  }

  /** Stops blinking and restores the previous trigger and brightness. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.endTimer) clearTimeout(this.endTimer);
    this.timer = null;
    this.endTimer = null;
    const r = this.restore;
    this.restore = null;
    try { r?.(); } catch { /* the LED went away; nothing to restore */ }
  }
}
