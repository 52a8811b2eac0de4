import { OpenFlag, XevUsageError } from '@xev/core';

/** Node-style open flags (`'r'`, `'r+'`, `'w'`, `'wx'`, `'a+'`, …) or raw {@link OpenFlag} bits. */
export type OpenFlags = 'r' | 'r+' | 'rs+' | 'w' | 'wx' | 'w+' | 'wx+' | 'a' | 'ax' | 'a+' | 'ax+' | number;

const table: Record<string, number> = {
  r: OpenFlag.read,
  'r+': OpenFlag.readWrite,
  'rs+': OpenFlag.readWrite,
  w: OpenFlag.write | OpenFlag.create | OpenFlag.truncate,
  wx: OpenFlag.write | OpenFlag.create | OpenFlag.truncate | OpenFlag.exclusive,
  'w+': OpenFlag.readWrite | OpenFlag.create | OpenFlag.truncate,
  'wx+': OpenFlag.readWrite | OpenFlag.create | OpenFlag.truncate | OpenFlag.exclusive,
  a: OpenFlag.write | OpenFlag.create | OpenFlag.append,
  ax: OpenFlag.write | OpenFlag.create | OpenFlag.append | OpenFlag.exclusive,
  'a+': OpenFlag.readWrite | OpenFlag.create | OpenFlag.append,
  'ax+': OpenFlag.readWrite | OpenFlag.create | OpenFlag.append | OpenFlag.exclusive,
};

/** Translates Node-style flags into the portable {@link OpenFlag} bits the backends take. */
export function parseOpenFlags(flags: OpenFlags): number {
  if (typeof flags === 'number') {
    if (!Number.isInteger(flags) || flags < 0) throw new XevUsageError(`open flags must be OpenFlag bits, not ${flags}`);
    return flags;
  }
  const bits = table[flags];
  if (bits === undefined) throw new XevUsageError(`unknown open flags ${JSON.stringify(flags)}; use one of ${Object.keys(table).join(', ')}`);
  return bits;
}
