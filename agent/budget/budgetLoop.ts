// The budget loop: the component the agent owns that turns sensors into a level.
//
//   const loop = new BudgetLoop({ budget: config.budget, sensorsConfig: config.sensors, threads, sensors,
//     applyLevel: (level, periodMs) => pool.setLevel(level, periodMs),
//     onEvent: (e) => publishEvent(e),          // {type, code, message} → events topic
//     onStateChange: () => publishState() });    // limited_by / paused / level moved
//   loop.start(); … loop.snapshot(); loop.setBudget(validatedBudget); await loop.stop();
//
// Contract
// - The constructor only assigns; start() takes the budget and arms the timer (one
//   tick at once, then every budget.interval_ms); stop() resolves after the
//   in-flight tick, and nothing is applied or reported after that.
// - applyLevel(level, periodMs): floor(level) threads at full speed and one thread
//   hashing (level − floor(level)) × periodMs then sleeping the rest of the period.
//   Called on start and whenever the level changes.
// - Each tick reads cached or cheap sources only: sysfs files and this process's
//   CPU time; vcgencmd runs in the background every sensors.*_interval_s.
// - A sensor fault produces one E_SENSOR warning per onset (not per tick) and
//   the controller falls back: temperature → budget.fallback_cpu_percent of the
//   threads; power → the model; supply → assumed on mains.
// - snapshot() is what telemetry and state publish (snake_case, units in names).
import type { ProfileName } from '../../config/budget.ts';
import type { BudgetConfig, SensorsConfig } from '../../config/schema.ts';
import { systemClock, type Clock, type TimerHandle } from '../../lifecycle/clock.ts';
import type { Component } from '../../lifecycle/component.ts';
import type { ErrorCode } from '../../protocol/errors.ts';
import { decideThrottle, initialControllerState, tune, type BudgetSettings, type ControllerState, type LimitName, type Setpoints, type Tuning } from '../control/controller.ts';
import type { DeviceModel } from '../control/profiles.ts';
import { localTimeOf, type LocalTime } from '../../config/schedule.ts';
import { GuardedTemperature } from '../sensors/guard.ts';
import { resolveModel, type SensorBundle } from '../sensors/makeSensors.ts';
import type { Reading, Sensor, ThrottledFlags } from '../sensors/types.ts';

export interface BudgetEvent { type: 'warning' | 'error'; code: ErrorCode; message: string }

export interface BudgetLoopOptions {
  /** budget.* at start; later changes come through setBudget(). */
  budget: BudgetConfig;
  sensorsConfig: SensorsConfig;
  threads: number;
  sensors: SensorBundle;
  applyLevel(level: number, periodMs: number): void;
  onEvent(e: BudgetEvent): void;
  onStateChange(): void;
  clock?: Clock;
  /** Wall-clock parts for the schedule; default: the process time zone. */
  localTime?: (ms: number) => LocalTime;
}

export interface BudgetSnapshot {
  telemetry: {
    temp_c: number | null;
    power_w: number | null;
    power_source: string;
    throttle_level: number;
    duty: number;
    throttled_flags: ThrottledFlags | null;
  };
  state: {
    limited_by: LimitName | null;
    level: number;
    threads: number;
    paused: boolean;
    /** budget.temp_target_c in force (budget/set changes it; Home Assistant's number entity reads it here). */
    temp_target_c: number;
    profile: ProfileName;
    setpoints: Setpoints | null;
    /** Sensors currently faulty, name → message. */
    sensor_faults: Record<string, string>;
  };
}

/** Level change that counts as a state change (the retained state is not a stream). */
const STATE_LEVEL_STEP = 0.5;

/** Keys whose change rebuilds the device model. */
const MODEL_KEYS = ['profile', 'idle_w', 'active_w_per_core', 'thermal_r_c_per_w', 'thermal_tau_s'] as const;

export class BudgetLoop implements Component {
  readonly name = 'budget';
  private readonly o: BudgetLoopOptions;
  private budget!: BudgetConfig;
  private model!: DeviceModel;
  private tuning!: Tuning;
  private temperature!: Sensor<number>;
  private threads = 0;
  private timer: TimerHandle | null = null;
  private running = false;
  private inflight: Promise<void> | null = null;
  private ctl: ControllerState = initialControllerState();
  private paused = false;
  /** A temperature reading has succeeded since start (absence is then a fault). */
  private tempSeen = false;
  private patched = false;
  private applied: number | null = null;
  private reported: { limited_by: LimitName | null; level: number; paused: boolean } | null = null;
  private faults: Record<string, string> = {};
  private last: { temp: number | null; power: number | null; powerSource: string; flags: ThrottledFlags | null; limitedBy: LimitName | null; setpoints: Setpoints | null } =
    { temp: null, power: null, powerSource: 'none', flags: null, limitedBy: null, setpoints: null };

  constructor(opts: BudgetLoopOptions) {
    this.o = opts;
  }

  private get clock(): Clock { return this.o.clock ?? systemClock; }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.threads = this.o.threads;
    // A setBudget() before start() is kept; otherwise the budget given at construction.
    if (!this.patched) this.budget = this.o.budget;
    this.model = this.patched ? this.model : this.o.sensors.model;
    this.retune();
    const s = this.o.sensorsConfig;
    this.temperature = new GuardedTemperature(this.o.sensors.temperature,
      { stuckS: s.stuck_s, maxJumpCPerS: s.max_jump_c_per_s, levelSpan: Math.min(1, this.threads / 2) },
      () => this.applied ?? 0);
    this.arm();
    this.kick();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== null) this.clock.clearInterval(this.timer);
    this.timer = null;
    await this.inflight;
  }

  /** One control step (the timer calls it; tests call it with a fake clock). Ticks never overlap. */
  tick(): Promise<void> {
    this.kick();
    return this.inflight ?? Promise.resolve();
  }

  private kick(): void {
    if (!this.running || this.inflight !== null) return;
    this.inflight = this.step()
      .catch((err) => this.emit('error', 'E_INTERNAL', `budget loop: ${(err as Error).message}`))
      .finally(() => { this.inflight = null; });
  }

  private arm(): void {
    if (this.timer !== null) this.clock.clearInterval(this.timer);
    this.timer = this.clock.setInterval(() => this.kick(), this.budget.interval_ms);
  }

  private retune(): void {
    this.tuning = tune(this.model, this.budget.response_s, this.budget.interval_ms / 1000);
  }

  private emit(type: 'warning' | 'error', code: ErrorCode, message: string): void {
    if (this.running) this.o.onEvent({ type, code, message });
  }

  /** Records a sensor's health; warns once when it turns faulty. Returns the value or null. */
  private track<T>(name: string, r: Reading<T>, consequence: string): T | null {
    if (r.ok) { delete this.faults[name]; return r.value; }
    if (r.transient) return null;
    if (this.faults[name] === undefined) this.emit('warning', 'E_SENSOR', `${name} sensor (${r.source}): ${r.fault}; ${consequence}`);
    this.faults[name] = r.fault;
    return null;
  }

  private async step(): Promise<void> {
    const now = this.clock.now();
    const sens = this.o.sensors;
    const [t, p, sup, thr] = await Promise.all([
      this.temperature.read(now), sens.power.read(now), sens.supply.read(now), sens.throttled?.read(now) ?? Promise.resolve(null),
    ]);
    if (!this.running) return;
    const fallbackPct = this.budget.fallback_cpu_percent;
    // A device that never had a temperature sensor (no thermal zone, no hwmon) is
    // not a broken sensor: it hashes without a temperature limit unless the
    // operator requires one. A sensor that was seen once and then fails falls back.
    if (t.ok) this.tempSeen = true;
    const absent = !t.ok && !this.tempSeen && t.source === 'none' && !this.budget.require_temp_sensor;
    const temp: number | null = this.track('temperature', t, absent
      ? 'temperature limits are inactive (set budget.require_temp_sensor to hold the fallback level instead)'
      : `holding at most ${fallbackPct} % of threads`);
    let power = this.track('power', p, 'using the power model');
    let powerSource = p.source;
    if (power === null) {
      const m = await sens.modelPower.read(now);
      power = m.ok ? m.value : null;
      powerSource = m.source;
    }
    const supply = this.track('supply', sup, 'assuming mains power');
    const flags = thr === null ? null : this.track('throttled', thr, 'firmware flags unknown');
    const d = decideThrottle(this.settings(), this.model, this.tuning, this.threads, this.ctl, {
      now_ms: now, local: (this.o.localTime ?? localTimeOf)(now), temp_c: temp, temp_absent: absent, power_w: power,
      on_battery: supply?.on_battery ?? null, paused: this.paused,
    });
    if (!this.running) return;
    this.ctl = d.state;
    this.last = { temp, power, powerSource, flags: flags ?? this.last.flags, limitedBy: d.limited_by, setpoints: d.setpoints };
    if (this.applied === null || Math.abs(d.level - this.applied) >= 0.001) {
      this.applied = d.level;
      this.o.applyLevel(d.level, this.budget.duty_period_ms);
    }
    const r = this.reported;
    if (r === null || r.limited_by !== d.limited_by || r.paused !== this.paused || Math.abs(r.level - d.level) >= STATE_LEVEL_STEP
      || (d.level === 0) !== (r.level === 0) || (d.level === this.threads) !== (r.level === this.threads)) {
      this.reported = { limited_by: d.limited_by, level: d.level, paused: this.paused };
      this.o.onStateChange();
    }
  }

  private settings(): BudgetSettings {
    return this.budget;
  }

  snapshot(): BudgetSnapshot {
    const level = this.applied ?? 0;
    return {
      telemetry: {
        temp_c: this.last.temp === null ? null : Math.round(this.last.temp * 10) / 10,
        power_w: this.last.power === null ? null : Math.round(this.last.power * 100) / 100,
        power_source: this.last.powerSource,
        throttle_level: level,
        duty: Math.round((level - Math.floor(level)) * 1000) / 1000,
        throttled_flags: this.last.flags,
      },
      state: {
        limited_by: this.last.limitedBy,
        level,
        threads: this.threads,
        paused: this.paused,
        temp_target_c: this.current().temp_target_c,
        profile: this.o.sensors.profile,
        setpoints: this.last.setpoints,
        sensor_faults: { ...this.faults },
      },
    };
  }

  /** The budget in force (what config/get shows). */
  current(): BudgetConfig {
    return this.budget ?? this.o.budget;
  }

  /**
   * Puts a new budget in force (budget/set, config/set): validated already by
   * config/patch.ts with the same rules as at load. Takes effect on an immediate tick.
   */
  setBudget(next: BudgetConfig): void {
    const before = this.current();
    this.budget = next;
    this.model ??= this.o.sensors.model;
    if (MODEL_KEYS.some((k) => before[k] !== next[k])) this.model = resolveModel(next, this.o.sensorsConfig.sysfs_root).model;
    this.patched = true;
    this.retune();
    if (this.running && before.interval_ms !== next.interval_ms) this.arm();
    this.kick();
  }

  /** Operator pause (level 0 until resumed); takes effect on an immediate tick. */
  setPaused(paused: boolean): void {
    this.paused = paused;
    this.kick();
  }

  /** The pool's thread count changed (threads/set). */
  setThreads(threads: number): void {
    this.threads = threads;
    this.kick();
  }
}
