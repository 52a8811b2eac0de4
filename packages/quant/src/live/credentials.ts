/**
 * API credentials, from the environment or a file only — never from command-line arguments (they
 * show in `ps` and shell history). The secret lives in a true private field and the object prints as
 * redacted, so a credential cannot reach a log line, an error or `JSON.stringify` by accident.
 */
import { readFileSync, statSync } from 'node:fs';

/** An API key and secret. */
export class Credentials {
  readonly #key: string;
  readonly #secret: string;

  constructor(key: string, secret: string) {
    if (!key || !secret) throw new Error('credentials need both a key and a secret');
    this.#key = key;
    this.#secret = secret;
  }

  /** The API key (sent as a header; still never logged). */
  get key(): string {
    return this.#key;
  }

  /** The signing secret. */
  get secret(): string {
    return this.#secret;
  }

  /** `Credentials(key …abcd, secret <redacted>)`: enough to tell two keys apart, nothing to use. */
  toString(): string {
    return `Credentials(key …${this.#key.slice(-4)}, secret <redacted>)`;
  }

  /** JSON shows the same redacted form. */
  toJSON(): string {
    return this.toString();
  }

  /** console.log and util.inspect show the same redacted form. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/**
 * Loads credentials for `venue` (`BINANCE`, `HYPERLIQUID`): `XEV_<VENUE>_API_KEY` and
 * `XEV_<VENUE>_API_SECRET` from `env`, or a JSON file `{ "key": …, "secret": … }` named by
 * `XEV_<VENUE>_CREDENTIALS` or `file`. Returns null when none is configured. A file readable by
 * group or others is refused (like ssh with private keys).
 */
export function loadCredentials(venue: string, env: NodeJS.ProcessEnv = process.env, file?: string): Credentials | null {
  const v = venue.toUpperCase();
  const key = env[`XEV_${v}_API_KEY`];
  const secret = env[`XEV_${v}_API_SECRET`];
  if (key && secret) return new Credentials(key, secret);
  const path = file ?? env[`XEV_${v}_CREDENTIALS`];
  if (!path) return null;
  const mode = statSync(path).mode;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new Error(`credentials file ${path} is readable by other users (mode ${(mode & 0o777).toString(8)}); chmod 600 it`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    // Do not echo the parse error: it quotes the file's content.
    throw new Error(`credentials file ${path} is not valid JSON`);
  }
  const p = parsed as { key?: unknown; secret?: unknown };
  if (typeof p.key !== 'string' || typeof p.secret !== 'string') throw new Error(`credentials file ${path} needs string fields "key" and "secret"`);
  return new Credentials(p.key, p.secret);
}
