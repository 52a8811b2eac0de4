import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keccak256 } from '../../src/live/hyperliquid/keccak.js';

describe('keccak-256', () => {
  it('matches published vectors', () => {
    expect(keccak256('').toString('hex')).toBe('c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
    expect(keccak256('abc').toString('hex')).toBe('4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45');
    expect(keccak256('The quick brown fox jumps over the lazy dog').toString('hex')).toBe('4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15');
  });

  it('with SHA-3 padding equals node:crypto sha3-256 at every length around the 136-byte block boundary', () => {
    for (const n of [0, 1, 55, 56, 135, 136, 137, 271, 272, 273, 1000]) {
      const data = randomBytes(n);
      expect(keccak256(data, 0x06).toString('hex')).toBe(createHash('sha3-256').update(data).digest('hex'));
    }
  });
});
