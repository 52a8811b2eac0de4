import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Addr, Cqe, OpCode, Sqe, encodeAddress, decodeAddress, encodePath, decodePath } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));

describe('shared layout', () => {
  it('the C++ header is generated from layout.ts and up to date', () => {
    const result = spawnSync(process.execPath, [join(here, '../scripts/gen-layout-header.mjs'), '--check'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('field indices are distinct and below the stride', () => {
    for (const layout of [Sqe, Cqe]) {
      const { stride, ...fields } = layout;
      const values = Object.values(fields);
      expect(new Set(values).size).toBe(values.length);
      expect(Math.max(...values)).toBeLessThan(stride);
    }
    const codes = Object.values(OpCode);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('addresses round-trip through the 28-byte encoding', () => {
    for (const [address, port] of [
      ['127.0.0.1', 8080],
      ['0.0.0.0', 0],
      ['::1', 443],
      ['::', 1],
      ['fe80::1:2', 65535],
      ['2001:db8::ff00:42:8329', 53],
    ] as const) {
      const bytes = encodeAddress(address, port);
      expect(bytes.byteLength).toBe(Addr.size);
      expect(decodeAddress(bytes)).toMatchObject({ address, port });
    }
    expect(encodeAddress('10.1.2.3', 0x1234)[Addr.port]).toBe(0x12);
    expect(() => encodeAddress('localhost', 80)).toThrow(/numeric IPv4 or IPv6/);
    expect(() => encodeAddress('127.0.0.1', 70000)).toThrow(/port/);
  });

  it('paths are NUL-terminated UTF-8', () => {
    const bytes = encodePath('/tmp/ünï');
    expect(bytes[bytes.length - 1]).toBe(0);
    expect(decodePath(bytes)).toBe('/tmp/ünï');
    expect(() => encodePath('a\0b')).toThrow(/NUL/);
  });
});
