import { type AbortOptions, Completion, type Loop, OpCode, Stat, XevUsageError, encodePath, perform } from '@xev/core';
import { File } from './file.js';
import { type OpenFlags, parseOpenFlags } from './flags.js';
import { Stats } from './stats.js';

/** Options for {@link open}. */
export interface OpenOptions extends AbortOptions {
  /** Permission bits for a file that `open` creates; default `0o666` (less the umask). */
  readonly mode?: number;
}

/**
 * Opens `path` on `loop` and resolves a {@link FileHandle}. `flags` are Node-style (`'r'`, `'r+'`, `'w'`,
 * `'a+'`, …) or {@link OpenFlag} bits. Rejects with an `XevError` (`code` `'ENOENT'`, `'EEXIST'`, …).
 * Every call takes an `AbortSignal` that cancels the operation in the backend.
 */
export async function open(loop: Loop, path: string, flags: OpenFlags = 'r', options: OpenOptions = {}): Promise<FileHandle> {
  const c = new Completion().prep(OpCode.open, -1, null, encodePath(path), parseOpenFlags(flags), options.mode ?? 0o666);
  const handle = await perform(loop, c, options);
  return new FileHandle(loop, handle);
}

/**
 * An open file with a Promise API, shaped like `fs.promises.FileHandle`. Reads resolve the bytes read
 * (`0` at end of file, as `fs.read` does); `write` and `pwrite` resolve once the whole buffer is written.
 * Calls may overlap; the low-level {@link File} watcher is `fileHandle.file`.
 */
export class FileHandle {
  readonly loop: Loop;
  readonly file: File;
  #closed = false;

  constructor(loop: Loop, handle: number) {
    this.loop = loop;
    this.file = new File(loop, handle);
  }

  /** The backend's handle (a file descriptor on the native backends). */
  get handle(): number {
    return this.file.handle;
  }

  /** Reads into `buffer` at the file position; resolves the bytes read, `0` at end of file. */
  read(buffer: ArrayBufferView, options: AbortOptions = {}): Promise<number> {
    return this.#do(new Completion().prep(OpCode.read, this.handle, buffer), options);
  }

  /** Reads into `buffer` from `offset`; resolves the bytes read, `0` at or past end of file. */
  pread(buffer: ArrayBufferView, offset: number, options: AbortOptions = {}): Promise<number> {
    return this.#do(new Completion().prep(OpCode.pread, this.handle, buffer, null, offset), options);
  }

  /** Writes all of `buffer` at the file position (continuing partial writes); resolves its length. */
  async write(buffer: Uint8Array | string, options: AbortOptions = {}): Promise<number> {
    const bytes = toBytes(buffer);
    let done = 0;
    while (done < bytes.byteLength) {
      const n = await this.#do(new Completion().prep(OpCode.write, this.handle, bytes.subarray(done)), options);
      if (n === 0) break;
      done += n;
    }
    return done;
  }

  /** Writes all of `buffer` at `offset` (continuing partial writes); resolves its length. */
  async pwrite(buffer: Uint8Array | string, offset: number, options: AbortOptions = {}): Promise<number> {
    const bytes = toBytes(buffer);
    let done = 0;
    while (done < bytes.byteLength) {
      const n = await this.#do(new Completion().prep(OpCode.pwrite, this.handle, bytes.subarray(done), null, offset + done), options);
      if (n === 0) break;
      done += n;
    }
    return done;
  }

  /** Resolves the file's {@link Stats}. */
  async stat(options: AbortOptions = {}): Promise<Stats> {
    const out = new Float64Array(Stat.count);
    await this.#do(new Completion().prep(OpCode.stat, this.handle, null, out), options);
    return new Stats(out);
  }

  /** Flushes the file to the device (`fsync`). */
  async sync(options: AbortOptions = {}): Promise<void> {
    await this.#do(new Completion().prep(OpCode.fsync, this.handle), options);
  }

  /** Reads the whole file from offset 0 into one buffer. */
  async readAll(options: AbortOptions = {}): Promise<Uint8Array> {
    const { size } = await this.stat(options);
    let out = new Uint8Array(Math.max(size, 4096));
    let length = 0;
    for (;;) {
      if (length === out.byteLength) {
        const grown = new Uint8Array(out.byteLength * 2);
        grown.set(out);
        out = grown;
      }
      const n = await this.pread(out.subarray(length), length, options);
      if (n === 0) return out.subarray(0, length);
      length += n;
    }
  }

  /** Closes the file; operations still pending on it reject with ECANCELED first. Closing twice is a no-op. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await perform(this.loop, new Completion().prep(OpCode.close, this.handle));
  }

  #do(c: Completion, options: AbortOptions): Promise<number> {
    if (this.#closed) return Promise.reject(new XevUsageError('the file is closed'));
    return perform(this.loop, c, options);
  }
}

function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data) : data;
}
