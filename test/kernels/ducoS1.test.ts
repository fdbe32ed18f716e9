// DUCO-S1 golden vector (test/fixtures/chain: the Duino-Coin AVR miner's
// board test), the decimal-nonce encoding and the self-test's power to reject
// broken kernels.
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { algoModule } from '../../kernels/ducoS1/index.ts';
import { createDucoJsKernel } from '../../kernels/ducoS1/jsKernel.ts';
import { createDucoWasmKernel } from '../../kernels/ducoS1/wasmKernel.ts';
import { SHA1_K, lastDigitShift, writeNonceWords } from '../../kernels/ducoS1/sha1Block.ts';
import type { DucoJob, Kernel } from '../../kernels/types.ts';

import { DUCO_BOARD_TEST } from '../fixtures/chain.ts';

const avr = {
  last_block_hash: DUCO_BOARD_TEST.last_hash, expected_hash: DUCO_BOARD_TEST.expected_hash, nonce: DUCO_BOARD_TEST.nonce,
  search_range: [0, 100 * DUCO_BOARD_TEST.difficulty] as [number, number],
};
const kernels: Kernel[] = [...algoModule.kernels, ...algoModule.baselines];

describe('DUCO-S1 golden vector', () => {
  const job: DucoJob = { algo: 'duco-s1', lastHash: avr!.last_block_hash, expectedHash: Buffer.from(avr!.expected_hash, 'hex') };

  for (const kernel of kernels) {
    it(`${kernel.name} finds exactly the AVR test nonce in its search range`, () => {
      const [from, to] = avr!.search_range;
      const found: number[] = [];
      kernel.prepare(job).scan(from, to - from + 1, (n) => found.push(n));
      assert.deepEqual(found, [avr!.nonce]);
    });
  }

  it('hashAt is SHA1 of the ASCII text and isShare compares all 20 bytes', () => {
    assert.equal(Buffer.from(algoModule.hashAt(job, avr!.nonce)).toString('hex'), avr!.expected_hash);
    assert.equal(algoModule.isShare(job, algoModule.hashAt(job, avr!.nonce)), true);
    assert.equal(algoModule.isShare(job, algoModule.hashAt(job, avr!.nonce + 1)), false);
  });
});

describe('DUCO-S1 nonce encoding', () => {
  for (const nonce of [0, 7, 9, 10, 99, 12345, 999_999_999_999_999]) {
    it(`writes ${nonce} as ASCII digits, 0x80 pad and bit length into W10..W15`, () => {
      const w = new Int32Array(16);
      const lastWord = writeNonceWords(w, nonce);
      const text = Buffer.from('x'.repeat(40) + String(nonce), 'latin1');
      const block = Buffer.alloc(64);
      text.copy(block);
      block[text.length] = 0x80;
      block.writeUInt32BE(text.length * 8, 60);
      for (let i = 10; i < 16; i++) assert.equal(w[i], block.readInt32BE(i * 4), `word ${i}`);
      assert.equal(lastWord, (text.length - 1) >> 2);
      assert.equal((w[lastWord]! >>> lastDigitShift(nonce)) & 0xff, text[text.length - 1]);
    });
  }
});

describe('DUCO-S1 self-test', () => {
  for (const kernel of kernels) {
    it(`passes ${kernel.name}`, () => assert.equal(algoModule.checkKernel(kernel), null));
  }

  const badK = SHA1_K.slice();
  badK[2] ^= 1 << 4; // one bit of the Maj-stage constant
  for (const kernel of [createDucoJsKernel({ sha1K: badK }), createDucoWasmKernel({ sha1K: badK })]) {
    it(`rejects ${kernel.name} with one SHA-1 round constant changed`, () => {
      assert.match(algoModule.checkKernel(kernel) ?? 'passed', new RegExp(`^${kernel.name}: `));
    });
  }

  it('kernels reject malformed jobs', () => {
    const expectedHash = createHash('sha1').digest();
    for (const kernel of algoModule.kernels) {
      assert.throws(() => kernel.prepare({ algo: 'duco-s1', lastHash: 'AB'.repeat(20), expectedHash }), RangeError);
      assert.throws(() => kernel.prepare({ algo: 'duco-s1', lastHash: 'ab'.repeat(20), expectedHash: expectedHash.subarray(1) }), RangeError);
      assert.throws(() => kernel.prepare({ algo: 'scrypt', header: new Uint8Array(80), target: new Uint8Array(32) }), TypeError);
    }
  });
});
