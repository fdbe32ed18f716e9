// What the current job says about the network, for the earnings model: the
// difficulty from its nBits and the block reward from its coinbase outputs
// (subsidy + fees, split by the BIP34 height where the coin's schedule is
// known), else economics.block_reward, else unknown. Pure.
import type { EconomicsConfig } from '../config/schema.ts';
import { BASE_UNITS_PER_COIN, bip34Height, coinbaseReward, subsidyAt } from '../economics/coinbase.ts';
import type { BlockReward } from '../economics/earnings.ts';
import { nbitsToDifficulty } from '../economics/hashUnits.ts';
import type { NetworkView } from '../economics/live.ts';
import type { SourceJob } from './source.ts';

export function networkFromJob(job: SourceJob | null, e: Pick<EconomicsConfig, 'coin' | 'payout' | 'block_reward'>): NetworkView {
  let difficulty: number | null = null;
  let nbits: string | null = null;
  let reward: BlockReward | null = null;
  let source: NetworkView['reward_source'] = null;
  let height: number | null = null;
  if (job) {
    nbits = job.template.nbits.toString(16).padStart(8, '0');
    try {
      difficulty = nbitsToDifficulty(job.template.nbits);
    } catch {
      difficulty = null;
    }
    try {
      const total = coinbaseReward(job.template.coinb1, job.template.coinb2, job.extranonce1.length / 2 + job.extranonce2Size);
      height = bip34Height(job.template.coinb1);
      const subsidy = height === null ? null : subsidyAt(e.coin, height);
      if (subsidy !== null && subsidy <= total.base_units) {
        reward = { subsidy: Number(subsidy) / Number(BASE_UNITS_PER_COIN), fees: Number(total.base_units - subsidy) / Number(BASE_UNITS_PER_COIN) };
      } else if (e.payout !== 'pps') {
        reward = { subsidy: total.coins, fees: 0 }; // split unknown; FPPS/PPLNS need only the sum
      }
      source = reward ? 'coinbase' : null;
    } catch {
      reward = null; // a coinbase we cannot read: the configured reward, if any
    }
  }
  if (reward === null && e.block_reward > 0) {
    reward = { subsidy: e.block_reward, fees: 0 };
    source = 'config';
  }
  return { difficulty, nbits, reward, reward_source: source, height };
}
