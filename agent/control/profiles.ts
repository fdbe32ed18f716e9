// Device profiles: the power model (idle_w + active_w_per_core × busy cores) and
// the first-order thermal model the controller is tuned from.
//
// Figures are whole-board watts at the 5 V input and are rough, so every one can
// be overridden in config (budget.idle_w, budget.active_w_per_core,
// budget.thermal_r_c_per_w, budget.thermal_tau_s):
// - pi4: ~3 W idle, ~6.4 W with all four cores busy (the project's reference figures; they
//   match the commonly quoted 540 mA idle / 1280 mA at 400 % load). Thermal
//   resistance so that a bare board at 25 °C ambient reaches the 80 °C firmware
//   throttle point at full load (25 + 6.4 × 8.6 ≈ 80); time constant of minutes.
// - pi3 (3 B+): ~1.9 W idle, ~5.1 W at 400 % load (same commonly quoted tables).
// - zero2: ~0.6 W idle (cnx-software, Bullseye, 120 mA @ 5 V), ~2.4 W all cores (estimate).
// - pi5: ~2.7 W idle, ~7.5 W all cores (estimate from published reviews).
// - generic: an unknown Linux box; deliberately pessimistic thermal figures.
import type { ProfileName } from '../../config/budget.ts';

export type { ProfileName } from '../../config/budget.ts';

export interface DeviceModel {
  /** Board power with no hashing, W. */
  idle_w: number;
  /** Extra power per fully busy core, W. */
  active_w_per_core: number;
  /** Steady-state temperature rise per watt (SoC sensor vs ambient), °C/W. */
  r_c_per_w: number;
  /** Thermal time constant R·C, s. */
  tau_s: number;
}

export const PROFILES: Record<ProfileName, DeviceModel> = {
  pi3: { idle_w: 1.9, active_w_per_core: 0.8, r_c_per_w: 10, tau_s: 200 },
  pi4: { idle_w: 3.0, active_w_per_core: 0.85, r_c_per_w: 8.6, tau_s: 300 },
  pi5: { idle_w: 2.7, active_w_per_core: 1.2, r_c_per_w: 9, tau_s: 200 },
  zero2: { idle_w: 0.6, active_w_per_core: 0.45, r_c_per_w: 20, tau_s: 150 },
  generic: { idle_w: 5, active_w_per_core: 2.5, r_c_per_w: 4, tau_s: 120 },
};

/**
 * Profile from the device-tree model string (`<sysfs_root>/firmware/devicetree/base/model`,
 * e.g. "Raspberry Pi 4 Model B Rev 1.4"). Compute Modules and the Pi 400 share their
 * board's SoC, so they map to the same profile.
 */
export function profileFromModel(model: string | null): ProfileName {
  if (!model) return 'generic';
  const m = model.replace(/\0/g, '');
  if (/Raspberry Pi (5|Compute Module 5|500)/.test(m)) return 'pi5';
  if (/Raspberry Pi (4|Compute Module 4|400)/.test(m)) return 'pi4';
  if (/Raspberry Pi Zero 2/.test(m)) return 'zero2';
  if (/Raspberry Pi (3|Compute Module 3)/.test(m)) return 'pi3';
  return 'generic';
}

/** Power drawn at a fractional level (busy cores). */
export function powerAt(model: DeviceModel, level: number): number {
  return model.idle_w + model.active_w_per_core * Math.max(0, level);
}

/** Busy cores that draw `powerW` (may be negative or above the thread count; callers clamp). */
export function levelFor(model: DeviceModel, powerW: number): number {
  return (powerW - model.idle_w) / model.active_w_per_core;
}
