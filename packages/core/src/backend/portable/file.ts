import fs from 'node:fs';
import { OpCode, OpenFlag, Stat } from '../layout.js';
import { decodePath } from '../address.js';
import type { Complete, PendingOp, Resource } from './shared.js';
import { bytesOf, err, negErrno } from './shared.js';

const c = fs.constants;

/** Translates portable `OpenFlag` bits into this platform's `fs.constants` values. */
export function nodeOpenFlags(flags: number): number {
  let out = flags & OpenFlag.readWrite ? c.O_RDWR : flags & OpenFlag.write ? c.O_WRONLY : c.O_RDONLY;
  if (flags & OpenFlag.create) out |= c.O_CREAT;
  if (flags & OpenFlag.exclusive) out |= c.O_EXCL;
  if (flags & OpenFlag.truncate) out |= c.O_TRUNC;
  if (flags & OpenFlag.append) out |= c.O_APPEND;
  return out;
}

/** Opens a file with `fs.open`; calls back with the fd or a negative errno. */
export function openFile(op: PendingOp, done: (fdOrErrno: number) => void): void {
  fs.open(decodePath(op.aux as Uint8Array), nodeOpenFlags(op.arg0), op.arg1 || 0o644, (error, fd) => {
    done(error ? negErrno(error) : fd);
  });
}

/**
 * A file on Node's `fs` (libuv's thread pool). Operations in the pool cannot be stopped, so a cancel only
 * wins against an op that has not started; close waits for in-flight ops before closing the descriptor.
 */
export class FileResource implements Resource {
  readonly kind = 'file' as const;
  readonly pending = new Set<PendingOp>();
  readonly #fd: number;
  readonly #complete: Complete;
  #closing: ((result: number) => void) | null = null;

  constructor(fd: number, complete: Complete) {
    this.#fd = fd;
    this.#complete = complete;
  }

  start(op: PendingOp): void {
    this.pending.add(op);
    const finish = (error: NodeJS.ErrnoException | null, value: number) => {
      this.pending.delete(op);
      this.#complete(op, error ? negErrno(error) : value);
      this.#maybeClose();
    };
    switch (op.op) {
      case OpCode.read:
      case OpCode.recv:
      case OpCode.pread: {
        const target = bytesOf(op.buffer!);
        const position = op.op === OpCode.pread ? op.arg0 : null;
        fs.read(this.#fd, target, 0, target.byteLength, position, (e, n) => finish(e, n));
        return;
      }
      case OpCode.write:
      case OpCode.send:
      case OpCode.pwrite: {
        const source = bytesOf(op.buffer!);
        const position = op.op === OpCode.pwrite ? op.arg0 : null;
        fs.write(this.#fd, source, 0, source.byteLength, position, (e, n) => finish(e, n));
        return;
      }
      case OpCode.fsync:
        fs.fsync(this.#fd, (e) => finish(e, 0));
        return;
      case OpCode.stat:
        fs.fstat(this.#fd, (e, s) => {
          if (!e) fillStat(op.aux as Float64Array, s);
          finish(e, 0);
        });
        return;
      case OpCode.poll:
        // Regular files are always ready, as poll(2) says.
        queueMicrotask(() => finish(null, op.arg0));
        return;
      default:
        this.pending.delete(op);
        this.#complete(op, err('ENOTSUP'));
    }
  }

  cancel(): boolean {
    return false;
  }

  close(done: (result: number) => void): void {
    this.#closing = done;
    this.#maybeClose();
  }

  #maybeClose(): void {
    if (!this.#closing || this.pending.size > 0) return;
    const done = this.#closing;
    this.#closing = null;
    fs.close(this.#fd, (e) => done(e ? negErrno(e) : 0));
  }
}

function fillStat(out: Float64Array, s: fs.Stats): void {
  out[Stat.dev] = s.dev;
  out[Stat.ino] = s.ino;
  out[Stat.mode] = s.mode;
  out[Stat.nlink] = s.nlink;
  out[Stat.uid] = s.uid;
  out[Stat.gid] = s.gid;
  out[Stat.rdev] = s.rdev;
  out[Stat.size] = s.size;
  out[Stat.blksize] = s.blksize;
  out[Stat.blocks] = s.blocks;
  out[Stat.atimeMs] = s.atimeMs;
  out[Stat.mtimeMs] = s.mtimeMs;
  out[Stat.ctimeMs] = s.ctimeMs;
  out[Stat.birthtimeMs] = s.birthtimeMs;
}
