import { constants } from 'node:os';

/** One operation the portable backend is carrying out. */
export interface PendingOp {
  readonly slot: number;
  readonly op: number;
  readonly handle: number;
  readonly buffer: ArrayBufferView | null;
  readonly aux: ArrayBufferView | null;
  readonly arg0: number;
  readonly arg1: number;
  /** Set once the op has completed (or been cancelled), so a late Node callback is ignored. */
  done: boolean;
}

/** Reports a completion for `op` (at most once). */
export type Complete = (op: PendingOp, result: number, aux?: number) => void;

/** What every portable resource (file, socket, async handle, process) implements. */
export interface Resource {
  readonly kind: 'file' | 'tcp' | 'udp' | 'async' | 'process';
  /** Starts `op`; it completes later through the backend's `complete`. */
  start(op: PendingOp): void;
  /**
   * Tries to cancel `op`: returns true if it was stopped (the caller reports ECANCELED), false if it is
   * already under way in Node and must be left to finish with its real result.
   */
  cancel(op: PendingOp): boolean;
  /** Closes the resource once every pending op has settled; calls `done` with 0 or a negative errno. */
  close(done: (result: number) => void): void;
  /** Ops started and not yet completed. */
  readonly pending: Set<PendingOp>;
}

const errnoByCode = constants.errno as Record<string, number>;

/** The negative errno for a Node error (by its `code`, so it is right on every platform). */
export function negErrno(error: unknown, fallback = 'EIO'): number {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const value = (code && errnoByCode[code]) || errnoByCode[fallback] || 5;
  return -value;
}

/** The negative errno for a name such as `'ECANCELED'`. */
export function err(code: string): number {
  return -(errnoByCode[code] ?? 5);
}

/** A Uint8Array over any ArrayBufferView's bytes. */
export function bytesOf(view: ArrayBufferView): Uint8Array {
  return view instanceof Uint8Array ? view : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}
