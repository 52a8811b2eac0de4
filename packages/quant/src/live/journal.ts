/**
 * The append-only journal: one JSON object per line, written synchronously *before* the action it
 * records takes effect (an order line before its bytes go to the venue), so after a crash the file
 * knows every order that might exist at the venue. Replaying it rebuilds the order book and the
 * positions; reconciliation then asks the venue what happened while we were down.
 *
 * Durability (`fsync`):
 * - `always`: `fsync` after every line. Survives power loss; costs a disk flush per event (~0.1–10 ms).
 * - `interval` (default): lines reach the OS at once (`writeSync`, so a process crash loses nothing)
 *   and are flushed to disk every `fsyncIntervalMs` (default 200 ms), which bounds what a power loss
 *   can take. The venue still has those orders; start-up reconciliation finds them.
 * - `never`: the OS decides. For tests, benchmarks and paper trading.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { OrderBook } from './order-state.js';
import { PositionTracker } from './position-tracker.js';
import type { OrderSpec, OrderUpdate } from './types.js';

/** fsync policy; see the module comment. */
export type FsyncPolicy = 'always' | 'interval' | 'never';

/** One journal line. `seq` increases by one per line; `at` is epoch ms. */
export type JournalEntry =
  | { seq: number; at: number; t: 'order'; spec: OrderSpec; tag?: string; id: number }
  | { seq: number; at: number; t: 'update'; u: OrderUpdate }
  | { seq: number; at: number; t: 'position'; symbol: string; qty: number; avgPrice: number; why: string }
  | { seq: number; at: number; t: 'risk'; state: string; reason: string }
  | { seq: number; at: number; t: 'event'; what: string; detail?: string };

/** A journal entry before the journal numbers and stamps it. */
export type JournalInput = JournalEntry extends infer E ? (E extends JournalEntry ? Omit<E, 'seq' | 'at'> : never) : never;

/** Options for {@link Journal}. */
export interface JournalOptions {
  /** Default `interval`. */
  fsync?: FsyncPolicy;
  /** Flush period for `interval`, ms; default 200. */
  fsyncIntervalMs?: number;
}

/** What {@link Journal.replay} rebuilt. */
export interface Recovered {
  readonly orders: OrderBook;
  readonly positions: PositionTracker;
  readonly entries: JournalEntry[];
  /** Last risk state written, if any. */
  readonly riskState: string | undefined;
  /** A torn last line (a crash mid-write) that was skipped, if any. */
  readonly tornTail: string | undefined;
}

/** Appends entries to a JSON-lines file. */
export class Journal {
  readonly path: string;
  readonly #fd: number;
  readonly #policy: FsyncPolicy;
  #seq: number;
  #dirty = false;
  #timer: NodeJS.Timeout | null = null;

  /** Opens `path` for appending; `seq` continues from the last line already in it. */
  constructor(path: string, options: JournalOptions = {}) {
    this.path = path;
    this.#policy = options.fsync ?? 'interval';
    this.#seq = existsSync(path) ? Journal.read(path).entries.reduce((m, e) => Math.max(m, e.seq), 0) : 0;
    this.#fd = openSync(path, 'a');
    if (this.#policy === 'interval') {
      this.#timer = setInterval(() => this.flush(), options.fsyncIntervalMs ?? 200);
      this.#timer.unref();
    }
  }

  /** Appends one entry and returns it with its sequence number. */
  append(e: JournalInput): JournalEntry {
    const entry = { seq: ++this.#seq, at: Date.now(), ...e } as JournalEntry;
    writeSync(this.#fd, `${JSON.stringify(entry)}\n`);
    if (this.#policy === 'always') fsyncSync(this.#fd);
    else this.#dirty = true;
    return entry;
  }

  /** Flushes written lines to disk now. */
  flush(): void {
    if (!this.#dirty) return;
    this.#dirty = false;
    fsyncSync(this.#fd);
  }

  /** Flushes and closes the file. */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#policy !== 'never') this.flush();
    closeSync(this.#fd);
  }

  /** Parses a journal file; a torn final line is reported, a malformed line elsewhere throws. */
  static read(path: string): { entries: JournalEntry[]; tornTail: string | undefined } {
    const text = readFileSync(path, 'utf8');
    const lines = text.split('\n');
    const entries: JournalEntry[] = [];
    let tornTail: string | undefined;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      if (line === '') continue;
      try {
        entries.push(JSON.parse(line) as JournalEntry);
      } catch {
        // Only the last line can be torn by a crash mid-write; anything else is corruption.
        if (i === lines.length - 1) tornTail = line;
        else throw new Error(`journal ${path}: line ${i + 1} is not JSON`);
      }
    }
    return { entries, tornTail };
  }

  /** Rebuilds orders and positions from a journal file (an empty state when it does not exist). */
  static replay(path: string): Recovered {
    const orders = new OrderBook();
    const positions = new PositionTracker();
    if (!existsSync(path)) return { orders, positions, entries: [], riskState: undefined, tornTail: undefined };
    const { entries, tornTail } = Journal.read(path);
    let riskState: string | undefined;
    for (const e of entries) {
      if (e.t === 'order') orders.add(e.spec, e.tag, e.id);
      else if (e.t === 'update') {
        const r = orders.apply(e.u);
        if (r.fill) positions.fill(r.fill.symbol, r.fill.qty, r.fill.price, r.fill.fee);
      } else if (e.t === 'position') positions.reset(e.symbol, e.qty, e.avgPrice);
      else if (e.t === 'risk') riskState = e.state;
    }
    return { orders, positions, entries, riskState, tornTail };
  }
}
