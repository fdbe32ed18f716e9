// scrypt golden vectors (test/fixtures/chain: the Litecoin genesis, RFC 7914 §12) and
// the self-test's power to reject broken kernels.
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { algoModule } from '../../kernels/scrypt/index.ts';
import { createScryptJsKernel } from '../../kernels/scrypt/jsKernel.ts';
import { scryptKdf } from '../../kernels/scrypt/scryptKdf.ts';
import { SHA256_IV, SHA256_K, sha256Compress } from '../../kernels/scrypt/sha256.ts';
import { createScryptWasmKernel } from '../../kernels/scrypt/wasmKernel.ts';
import type { HeaderJob, Kernel } from '../../kernels/types.ts';

import { LITECOIN_GENESIS as genesis, RFC7914_VECTORS } from '../fixtures/chain.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const kernels: Kernel[] = [...algoModule.kernels, ...algoModule.baselines];

describe('scrypt golden vectors', () => {
  const header = Uint8Array.from(Buffer.from(genesis.header_hex, 'hex'));
  const job: HeaderJob = { algo: 'scrypt', header, target: Uint8Array.from(Buffer.from(genesis.target, 'hex')) };

  it('hashAt gives the Litecoin genesis PoW hash in display order, and it is a share', () => {
    const digest = algoModule.hashAt(job, genesis.nonce);
    assert.equal(hex(digest), genesis.scrypt_pow_hash);
    assert.equal(algoModule.isShare(job, digest), true);
    assert.equal(algoModule.isShare(job, algoModule.hashAt(job, genesis.nonce + 1)), false);
  });

  for (const kernel of kernels) {
    it(`${kernel.name} finds exactly the genesis nonce among its neighbours`, () => {
      const found: number[] = [];
      kernel.prepare(job).scan(genesis.nonce - 5, 11, (n) => found.push(n));
      assert.deepEqual(found, [genesis.nonce]);
    });
  }

  for (const v of RFC7914_VECTORS.filter((x) => x.N * x.r <= 16384 * 8)) {
    it(`the Salsa20/8 ROMix core reproduces RFC 7914 scrypt(${JSON.stringify(v.password)}, N=${v.N}, r=${v.r}, p=${v.p})`, () => {
      const dk = scryptKdf(Buffer.from(v.password), Buffer.from(v.salt), v.N, v.r, v.p, v.dkLen);
      assert.equal(hex(dk), v.derived_key_hex);
    });
  }

  it('sha256Compress matches node:crypto on a one-block message', () => {
    const msg = Buffer.from('abc');
    const w = new Int32Array(64);
    w[0] = Buffer.concat([msg, Buffer.from([0x80])]).readInt32BE(0); w[15] = 24; // FIPS 180-4 §5.1.1 padding
    const out = new Int32Array(8);
    sha256Compress(out, SHA256_IV, w, SHA256_K);
    const bytes = Buffer.alloc(32);
    out.forEach((x, i) => bytes.writeInt32BE(x, i * 4));
    assert.equal(bytes.toString('hex'), createHash('sha256').update(msg).digest('hex'));
  });
});

describe('scrypt self-test', () => {
  for (const kernel of kernels) {
    it(`passes ${kernel.name}`, () => assert.equal(algoModule.checkKernel(kernel), null));
  }

  const badK = SHA256_K.slice();
  badK[17] ^= 1 << 9; // one SHA-256 round constant, one bit
  const broken: [string, Kernel][] = [
    ['one SHA-256 round constant changed', createScryptJsKernel({ sha256K: badK })],
    ['one SHA-256 round constant changed', createScryptWasmKernel({ sha256K: badK })],
    ['Salsa20/6 instead of Salsa20/8', createScryptJsKernel({ salsaDoubleRounds: 3 })],
    ['Salsa20/6 instead of Salsa20/8', createScryptWasmKernel({ salsaDoubleRounds: 3 })],
  ];
  for (const [what, kernel] of broken) {
    it(`rejects ${kernel.name} with ${what}`, () => {
      assert.match(algoModule.checkKernel(kernel) ?? 'passed', new RegExp(`^${kernel.name}: `));
    });
  }

  it('kernels reject a job of another algorithm or a short header', () => {
    for (const kernel of algoModule.kernels) {
      assert.throws(() => kernel.prepare({ algo: 'sha256d', header: new Uint8Array(80), target: new Uint8Array(32) }), TypeError);
      assert.throws(() => kernel.prepare({ algo: 'scrypt', header: new Uint8Array(79), target: new Uint8Array(32) }), RangeError);
    }
  });
});
