// bench, selftest, identify.
import { measureKernel } from '../../../kernels/measure.ts';
import { findKernel } from '../../../kernels/registry.ts';
import { runSelfTest } from '../../../kernels/selfTest.ts';
import { chooseKernels } from '../../../kernels/choose.ts';
import type { Algo } from '../../../kernels/types.ts';
import { HashlingError } from '../../../protocol/errors.ts';
import { onlyKeys, optionalChoice, optionalNumber } from '../args.ts';
import { findActLed, type LedBlinker } from '../led.ts';
import type { VerbHandler } from '../host.ts';

/**
 * A short single-thread run of the chosen kernel(s) on the agent's main thread
 * (measureKernel, the same code as `hashling bench`), times the thread count.
 * It runs beside the pool: pause first for an undisturbed figure.
 */
export const bench: VerbHandler = ({ host, args }) => {
  onlyKeys(args, ['algo', 'ms']);
  const algos = Object.keys(host.kernels) as Algo[];
  const algo = optionalChoice(args, 'algo', algos);
  const ms = optionalNumber(args, 'ms', 50, 5000) ?? 500;
  const results: Record<string, unknown> = {};
  for (const a of algo ? [algo] : algos) {
    const kernel = findKernel(host.kernels[a]!);
    if (!kernel) continue;
    const perThread = measureKernel(kernel, ms / (algo ? 1 : algos.length));
    results[a] = { kernel: kernel.name, hashrate_hps_per_thread: Math.round(perThread), threads: host.threads(), hashrate_hps: Math.round(perThread * host.threads()) };
  }
  return { data: { ms, mode: host.mode(), results } };
};

/**
 * `replan: true` re-times the kernels that passed (the planner, on this thread, beside
 * the pool: pause first for an undisturbed choice), caches the plan in health.state_dir
 * and mines the next units with the new choice.
 */
export const selftest: VerbHandler = ({ host, args }) => {
  onlyKeys(args, ['replan']);
  if (args.replan !== undefined && typeof args.replan !== 'boolean') {
    throw new HashlingError('E_BAD_COMMAND', `"replan" must be true or false (got ${JSON.stringify(args.replan)})`);
  }
  const results = runSelfTest();
  const failed = results.filter((r) => !r.ok);
  if (failed.length > 0) {
    throw Object.assign(new HashlingError('E_SELFTEST', `${failed.length} kernel(s) failed: ${failed.map((r) => `${r.kernel} (${r.detail ?? 'mismatch'})`).join('; ')}`), { data: { results } });
  }
  if (args.replan !== true) return { data: { ok: true, results } };
  const stateDir = host.config().health.state_dir;
  const choice = chooseKernels({ stateDir, force: true, selfTest: results, log: () => {} });
  Object.assign(host.kernels, choice.kernels);
  return { data: { ok: true, results, kernel_plan: choice.plan, planned_ms: choice.planned_ms } };
};

export function identifyHandler(led: LedBlinker): VerbHandler {
  return ({ host, args }) => {
    onlyKeys(args, ['duration_s']);
    const config = host.config();
    const durationS = optionalNumber(args, 'duration_s', 1, 300) ?? config.commands.identify_s;
    const dir = findActLed(config.sensors.sysfs_root);
    if (dir) {
      try {
        led.blink(dir, durationS * 1000);
        return { data: { led: dir, duration_s: durationS } };
      } catch (err) {
        host.event('info', 'I_IDENTIFY', `identify: cannot drive ${dir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); this is device ${host.deviceId}`);
        return { data: { led: null, reason: `cannot write ${dir}`, duration_s: durationS } };
      }
    }
    host.event('info', 'I_IDENTIFY', `identify: no ACT LED on this device; this is device ${host.deviceId}`);
    return { data: { led: null, reason: 'no ACT/led0 LED under sensors.sysfs_root', duration_s: durationS } };
  };
}
