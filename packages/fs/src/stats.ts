import { Stat } from '@xev/core';

const S_IFMT = 0o170000;

/**
 * What `stat` reports, shaped like Node's `fs.Stats` (the numeric fields, the `*Ms` times, `Date`
 * getters and the `is*()` predicates), decoded from the record the backend filled.
 */
export class Stats {
  readonly dev: number;
  readonly ino: number;
  readonly mode: number;
  readonly nlink: number;
  readonly uid: number;
  readonly gid: number;
  readonly rdev: number;
  readonly size: number;
  readonly blksize: number;
  readonly blocks: number;
  readonly atimeMs: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly birthtimeMs: number;

  /** Decodes a `Float64Array(Stat.count)` that a `stat` operation filled. */
  constructor(record: Float64Array) {
    this.dev = record[Stat.dev];
    this.ino = record[Stat.ino];
    this.mode = record[Stat.mode];
    this.nlink = record[Stat.nlink];
    this.uid = record[Stat.uid];
    this.gid = record[Stat.gid];
    this.rdev = record[Stat.rdev];
    this.size = record[Stat.size];
    this.blksize = record[Stat.blksize];
    this.blocks = record[Stat.blocks];
    this.atimeMs = record[Stat.atimeMs];
    this.mtimeMs = record[Stat.mtimeMs];
    this.ctimeMs = record[Stat.ctimeMs];
    this.birthtimeMs = record[Stat.birthtimeMs];
  }

  get atime(): Date {
    return new Date(this.atimeMs);
  }
  get mtime(): Date {
    return new Date(this.mtimeMs);
  }
  get ctime(): Date {
    return new Date(this.ctimeMs);
  }
  get birthtime(): Date {
    return new Date(this.birthtimeMs);
  }

  isFile(): boolean {
    return (this.mode & S_IFMT) === 0o100000;
  }
  isDirectory(): boolean {
    return (this.mode & S_IFMT) === 0o040000;
  }
  isSymbolicLink(): boolean {
    return (this.mode & S_IFMT) === 0o120000;
  }
  isFIFO(): boolean {
    return (this.mode & S_IFMT) === 0o010000;
  }
  isSocket(): boolean {
    return (this.mode & S_IFMT) === 0o140000;
  }
  isCharacterDevice(): boolean {
    return (this.mode & S_IFMT) === 0o020000;
  }
  isBlockDevice(): boolean {
    return (this.mode & S_IFMT) === 0o060000;
  }
}
