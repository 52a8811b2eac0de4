import { constants } from 'node:os';

const errnoByCode = constants.errno as Record<string, number>;
const codeByErrno = new Map<number, string>(Object.entries(errnoByCode).map(([code, errno]) => [errno, code]));

/** The errno numbers of this platform, by name (`errno.ECANCELED` is 125 on Linux). */
export const errno: Readonly<Record<string, number>> = errnoByCode;

/** Negative errno values used by the loop itself, as results are reported. */
export const ECANCELED = -(errnoByCode.ECANCELED ?? 125);
export const ENOENT = -(errnoByCode.ENOENT ?? 2);
export const EINVAL = -(errnoByCode.EINVAL ?? 22);
export const EBADF = -(errnoByCode.EBADF ?? 9);
export const ECHILD = -(errnoByCode.ECHILD ?? 10);
export const ENOSYS = -(errnoByCode.ENOSYS ?? 38);

/** The name of a (positive or negative) errno value, such as `'ECONNRESET'`, or `'E<number>'` if unknown. */
export function errnoName(value: number): string {
  return codeByErrno.get(Math.abs(value)) ?? `E${Math.abs(value)}`;
}

/**
 * The typed error of the high-level API. `code` is the errno name (`'ECONNRESET'`), or `'EOF'` for a read
 * that returned 0 bytes; `errno` is the positive errno number (0 for `EOF`).
 */
export class XevError extends Error {
  readonly code: string;
  readonly errno: number;
  readonly syscall: string | undefined;

  constructor(code: string, errnoValue: number, message: string, syscall?: string) {
    super(message);
    this.name = 'XevError';
    this.code = code;
    this.errno = errnoValue;
    this.syscall = syscall;
  }

  /** The error for a negative result of operation `op`, for example `fromResult(-111, 'connect')`. */
  static fromResult(result: number, op?: string): XevError {
    const code = errnoName(result);
    return new XevError(code, Math.abs(result), op ? `${op} failed: ${code}` : code, op);
  }

  /** The error for a read that returned 0 bytes. */
  static eof(op = 'read'): XevError {
    return new XevError('EOF', 0, `${op}: end of file`, op);
  }
}

/** Thrown synchronously for API misuse: the loop is left exactly as it was. */
export class XevUsageError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'XevUsageError';
  }
}
