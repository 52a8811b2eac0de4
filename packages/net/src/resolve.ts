import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** A host and port to connect to or listen on. */
export interface HostPort {
  /** A numeric address or a name (`'localhost'`); names are resolved with `dns.lookup`. Default `'127.0.0.1'`. */
  readonly host?: string;
  readonly port: number;
  /** Prefer this address family when resolving a name. */
  readonly family?: 4 | 6;
}

/**
 * Resolves `host` to a numeric address and its family. Numeric addresses return at once; names go
 * through `dns.lookup` (the resolver Node's `net` uses) because the loop's operations take numeric
 * addresses only.
 */
export async function resolveHost(host = '127.0.0.1', family?: 4 | 6): Promise<{ address: string; family: 4 | 6 }> {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const kind = isIP(bare.split('%')[0]);
  if (kind === 4 || kind === 6) return { address: bare, family: kind };
  const found = await lookup(bare, family ? { family } : {});
  return { address: found.address, family: found.family === 6 ? 6 : 4 };
}
