/**
 * The order state machine, keyed by client order id. Venue updates carry cumulative fills, so the
 * machine applies only what is new: a duplicated or replayed update (stream and REST racing, a
 * reconciliation after a reconnect, a journal replay) never books a fill twice.
 */
import type { Side } from '../strategy/orders.js';
import type { OrderSpec, OrderUpdate, VenueStatus } from './types.js';

/** Order states. `new` is sent but not yet acknowledged by the venue. */
export type OrderState = 'new' | 'acknowledged' | 'partially-filled' | 'filled' | 'cancelled' | 'rejected' | 'expired';

/** States after which nothing changes. */
export const TERMINAL_STATES: ReadonlySet<OrderState> = new Set(['filled', 'cancelled', 'rejected', 'expired']);

/** Allowed transitions. Fills may arrive before the acknowledgement (stream and REST race), so `new` can jump. */
const NEXT: Record<OrderState, readonly OrderState[]> = {
  new: ['acknowledged', 'partially-filled', 'filled', 'cancelled', 'rejected', 'expired'],
  acknowledged: ['partially-filled', 'filled', 'cancelled', 'expired'],
  'partially-filled': ['partially-filled', 'filled', 'cancelled', 'expired'],
  filled: [],
  cancelled: [],
  rejected: [],
  expired: [],
};

/** Thrown for an update the state machine cannot accept (a terminal order moving, an unknown id). */
export class OrderStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OrderStateError';
  }
}

/** One order's live record. */
export interface LiveOrder {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: 'market' | 'limit';
  readonly qty: number;
  readonly price: number | undefined;
  state: OrderState;
  cumQty: number;
  cumQuote: number;
  venueOrderId: string | undefined;
  reason: string | undefined;
  /** Strategy tag (entry target), kept for the context's open-order view. */
  readonly tag: string | undefined;
  /** Numeric id the strategy sees. */
  readonly id: number;
}

/** A fill the machine derived from an update: the new quantity and its average price. */
export interface FillDelta {
  readonly clientOrderId: string;
  readonly symbol: string;
  /** Signed quantity (+ buy, − sell). */
  readonly qty: number;
  readonly price: number;
  readonly fee: number;
}

/** Result of {@link OrderBook.apply}. */
export interface ApplyResult {
  readonly order: LiveOrder;
  /** The fill this update added, if any. */
  readonly fill: FillDelta | null;
  /** Whether anything changed (false for a duplicate). */
  readonly changed: boolean;
}

function stateOf(status: VenueStatus, cumQty: number): OrderState {
  switch (status) {
    case 'new': return cumQty > 0 ? 'partially-filled' : 'acknowledged';
    case 'partially-filled': return 'partially-filled';
    default: return status;
  }
}

/** Every order of a session by client order id, with the transition rules. */
export class OrderBook {
  readonly #orders = new Map<string, LiveOrder>();
  // Open orders kept apart so risk and the strategy context look at a handful, not the whole session.
  readonly #open = new Map<string, LiveOrder>();
  #nextId = 1;

  /** Registers a new order (state `new`); throws if the client order id was used before. */
  add(spec: OrderSpec, tag?: string, id?: number): LiveOrder {
    if (this.#orders.has(spec.clientOrderId)) throw new OrderStateError(`duplicate client order id ${spec.clientOrderId}`);
    const oid = id ?? this.#nextId;
    this.#nextId = Math.max(this.#nextId, oid + 1);
    const o: LiveOrder = {
      clientOrderId: spec.clientOrderId, symbol: spec.symbol, side: spec.side, type: spec.type, qty: spec.qty,
      price: spec.price, state: 'new', cumQty: 0, cumQuote: 0, venueOrderId: undefined, reason: undefined, tag, id: oid,
    };
    this.#orders.set(spec.clientOrderId, o);
    this.#open.set(spec.clientOrderId, o);
    return o;
  }

  /** The order with this client id. */
  get(clientOrderId: string): LiveOrder | undefined {
    return this.#orders.get(clientOrderId);
  }

  /** Whether the order can still change. */
  isOpen(clientOrderId: string): boolean {
    return this.#open.has(clientOrderId);
  }

  /** Orders that can still change, in submission order. */
  open(): LiveOrder[] {
    return [...this.#open.values()];
  }

  /** Every order in submission order. */
  all(): LiveOrder[] {
    return [...this.#orders.values()];
  }

  /**
   * Applies a venue update. Fills are taken from the growth of the cumulative quantity, so stale and
   * repeated updates are ignored; an update that would move a terminal order elsewhere, or shrink its
   * fills, is an {@link OrderStateError}.
   */
  apply(u: OrderUpdate): ApplyResult {
    const o = this.#orders.get(u.clientOrderId);
    if (!o) throw new OrderStateError(`update for unknown client order id ${u.clientOrderId}`);
    const target = stateOf(u.status, u.cumQty);
    let fill: FillDelta | null = null;
    if (u.cumQty > o.cumQty + 1e-12) {
      const dq = u.cumQty - o.cumQty;
      const dQuote = u.cumQuote - o.cumQuote;
      fill = { clientOrderId: o.clientOrderId, symbol: o.symbol, qty: o.side === 'buy' ? dq : -dq, price: dQuote / dq, fee: u.fee ?? 0 };
      o.cumQty = u.cumQty;
      o.cumQuote = u.cumQuote;
    } else if (u.cumQty < o.cumQty - 1e-12 && u.source !== 'stream') {
      // A REST answer can be older than the stream update already applied; it is simply stale.
      return { order: o, fill: null, changed: false };
    }
    if (u.venueOrderId !== undefined) o.venueOrderId = u.venueOrderId;
    const changedState = target !== o.state;
    if (changedState) {
      if (TERMINAL_STATES.has(o.state) || !NEXT[o.state].includes(target)) {
        // Stale answers (an `acknowledged` arriving after a fill) are harmless; only contradictions throw.
        if (target === 'acknowledged' || (target === 'partially-filled' && o.state === 'filled')) return { order: o, fill, changed: fill !== null };
        throw new OrderStateError(`order ${o.clientOrderId}: ${o.state} cannot become ${target}`);
      }
      o.state = target;
      if (TERMINAL_STATES.has(target)) this.#open.delete(o.clientOrderId);
      if (u.reason) o.reason = u.reason;
    }
    return { order: o, fill, changed: changedState || fill !== null };
  }

  /** Highest strategy-visible id used so far (restored after a journal replay). */
  get lastId(): number {
    return this.#nextId - 1;
  }
}
