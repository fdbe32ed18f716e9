// The golden vectors of the product's own self-test (a deployed agent has only its
// own files): Bitcoin mainnet headers; test/kernels/sha256dVectors.test.ts checks
// they equal test/fixtures/chain/bitcoinBlocks.json. Where they were published:
// - height 0: bitcoinjs/bitcoinjs-lib@248789d25b9833ed286c9ca4b9bfd93f099fd8a3
//   test/fixtures/block.json ("Genesis Block"), also btcsuite/btcd blk_0_to_4.dat;
// - height 1: btcsuite/btcd@2c67bc29cedf391baf5e2d453855256432bb2006
//   netsync/testdata/blockheaders-mainnet-1-11.txt (line 1).

export interface HeaderVector {
  height: number;
  /** 80 bytes, wire order. */
  header_hex: string;
  /** Display order: reverse(sha256d(header)). */
  block_hash: string;
  nonce: number;
  /** 32 bytes big-endian, from bits 1d00ffff. */
  target: string;
}

export const BITCOIN_HEADERS: readonly HeaderVector[] = [
  {
    height: 0,
    header_hex: '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c',
    block_hash: '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
    nonce: 2083236893,
    target: '00000000ffff0000000000000000000000000000000000000000000000000000',
  },
  {
    height: 1,
    header_hex: '010000006fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000982051fd1e4ba744bbbe680e1fee14677ba1a3c3540bf7b1cdb606e857233e0e61bc6649ffff001d01e36299',
    block_hash: '00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048',
    nonce: 2573394689,
    target: '00000000ffff0000000000000000000000000000000000000000000000000000',
  },
];
