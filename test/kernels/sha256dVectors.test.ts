// Golden vectors: real Bitcoin blocks (test/fixtures/chain), run through every
// sha256d kernel and baseline.
import { SHA256D_VARIANTS } from '../../kernels/sha256d/variants.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesToHex, hexToBytes } from '../../kernels/hex.ts';
import { listBaselines, listKernels, getAlgoModule } from '../../kernels/registry.ts';
import { BITCOIN_HEADERS } from '../../kernels/sha256d/vectors.ts';
import type { HeaderJob, Kernel } from '../../kernels/types.ts';

import { BITCOIN_BLOCKS as FILE } from '../fixtures/chain.ts';

const kernels: Kernel[] = [...listKernels('sha256d'), ...listBaselines('sha256d')].filter((k) => k.available());

function scan(kernel: Kernel, job: HeaderJob, start: number, count: number): number[] {
  const shares: number[] = [];
  kernel.prepare(job).scan(start, count, (n) => shares.push(n));
  return shares;
}

test('the self-test vectors embedded in the product are exactly the fixture blocks', () => {
  assert.equal(BITCOIN_HEADERS.length, FILE.length);
  for (const [i, v] of BITCOIN_HEADERS.entries()) {
    const f = FILE[i]!;
    assert.deepEqual(
      { height: v.height, header_hex: v.header_hex, block_hash: v.block_hash, nonce: v.nonce, target: v.target },
      { height: f.height, header_hex: f.header_hex, block_hash: f.block_hash, nonce: f.nonce, target: f.target },
    );
  }
});

test('hashAt gives each block hash in display order and isShare accepts it at the block target', () => {
  const mod = getAlgoModule('sha256d')!;
  for (const v of FILE) {
    const job: HeaderJob = { algo: 'sha256d', header: hexToBytes(v.header_hex), target: hexToBytes(v.target) };
    const digest = mod.hashAt(job, v.nonce);
    assert.equal(bytesToHex(digest), v.block_hash);
    assert.equal(mod.isShare(job, digest), true);
    assert.equal(mod.isShare(job, mod.hashAt(job, v.nonce + 1)), false);
  }
});

test('sha256d kernels under test include every generated variant and both baselines', () => {
  const names = kernels.map((k) => k.name);
  for (const n of [...SHA256D_VARIANTS.map((v) => v.name), 'sha256d-noble-naive', 'sha256d-node-crypto', 'sha256d-node-createhash']) assert.ok(names.includes(n), n);
});

for (const kernel of kernels) {
  test(`${kernel.name} finds exactly each block's nonce in a 10 000-nonce window at the network target`, () => {
    for (const v of FILE) {
      const header = hexToBytes(v.header_hex);
      header.fill(0xa5, 76, 80); // the kernel must ignore the header's own nonce bytes
      const job: HeaderJob = { algo: 'sha256d', header, target: hexToBytes(v.target) };
      assert.deepEqual(scan(kernel, job, v.nonce - 5003, 10_000), [v.nonce], `height ${v.height}`);
      assert.deepEqual(scan(kernel, job, v.nonce, 1), [v.nonce], `single-nonce unit, height ${v.height}`);
      assert.deepEqual(scan(kernel, job, v.nonce + 1, 4096), [], `window just after, height ${v.height}`);
    }
  });

  test(`${kernel.name} treats a target equal to the block hash as met and one below it as not`, () => {
    const v = FILE[0]!;
    const equal = hexToBytes(v.block_hash);
    const below = equal.slice();
    for (let i = 31; i >= 0; i--) { // equal - 1, big-endian
      if (below[i]! > 0) { below[i]!--; break; }
      below[i] = 0xff;
    }
    const header = hexToBytes(v.header_hex);
    assert.deepEqual(scan(kernel, { algo: 'sha256d', header, target: equal }, v.nonce - 3, 7), [v.nonce]);
    assert.deepEqual(scan(kernel, { algo: 'sha256d', header, target: below }, v.nonce - 3, 7), []);
  });
}
