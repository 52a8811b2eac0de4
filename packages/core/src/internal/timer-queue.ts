import type { Completion } from '../completion.js';

/**
 * All timers armed with one delay. Their deadlines (arming time + delay) can only grow in the order they
 * were armed, so the list is FIFO and only its head ever needs comparing with other lists: the same
 * observation Node's timers make. Completions link through `_next`/`_prev`.
 */
class TimerList {
  head: Completion<any> | null = null;
  tail: Completion<any> | null = null;
  /** Position in the queue's heap, or -1 while empty. */
  index = -1;
  constructor(readonly delay: number) {}
}

/**
 * The loop's timers: one FIFO list per distinct delay, and a binary min-heap of the non-empty lists
 * keyed by their head's deadline. Arming is O(1) plus O(log lists) when a list becomes non-empty; firing
 * a run of due timers from one list costs one heap adjustment for the whole run. Deadlines are whole
 * milliseconds on the `performance.now()` clock, rounded up so a timer never fires early and kept as
 * small integers so a completion stays compact. An armed timer's `target` field (unused by timers)
 * points at its list.
 */
export class TimerQueue {
  readonly #lists = new Map<number, TimerList>();
  readonly #heap: TimerList[] = [];
  #size = 0;

  /** Timers armed and not yet fired or removed. */
  get size(): number {
    return this.#size;
  }

  /** The earliest deadline, or Infinity. */
  nextDeadline(): number {
    const top = this.#heap[0];
    return top ? top.head!._key : Infinity;
  }

  /** Arms `c` to fire at `deadline` (its list is found by `delay`). */
  add(c: Completion<any>, delay: number, deadline: number): void {
    let list = this.#lists.get(delay);
    if (list === undefined) {
      list = new TimerList(delay);
      this.#lists.set(delay, list);
    }
    c._key = deadline;
    c.target = list as never;
    c._next = null;
    c._prev = list.tail;
    if (list.tail) list.tail._next = c;
    else list.head = c;
    list.tail = c;
    this.#size++;
    if (list.index < 0) {
      list.index = this.#heap.length;
      this.#heap.push(list);
      this.#up(list.index);
    }
  }

  /** Whether `c` is armed in this queue. */
  has(c: Completion<any>): boolean {
    const list = c.target as unknown as TimerList | null;
    return list instanceof TimerList && this.#lists.get(list.delay) === list && (list.head === c || c._prev !== null);
  }

  /** Disarms `c`; returns false if it was not armed here. */
  remove(c: Completion<any>): boolean {
    if (!this.has(c)) return false;
    const list = c.target as unknown as TimerList;
    const wasHead = list.head === c;
    if (c._prev) c._prev._next = c._next;
    else list.head = c._next;
    if (c._next) c._next._prev = c._prev;
    else list.tail = c._prev;
    c._next = c._prev = null;
    c.target = null;
    this.#size--;
    if (wasHead) this.#headChanged(list);
    return true;
  }

  /**
   * Takes every timer due at `now` in deadline order and hands each to `fire`. Timers armed by `fire`
   * itself are never due in the same call (their deadline is at least `now`'s next millisecond).
   */
  expire(now: number, fire: (c: Completion<any>) => void): void {
    const heap = this.#heap;
    while (heap.length > 0) {
      const list = heap[0];
      let c = list.head!;
      if (c._key > now) return;
      // The run of this list's timers that stay ahead of every other list's head.
      const limit = Math.min(now, this.#secondDeadline());
      do {
        const next: Completion<any> | null = c._next;
        list.head = next;
        if (next) next._prev = null;
        else list.tail = null;
        c._next = null;
        c.target = null;
        this.#size--;
        fire(c);
        c = next!;
      } while (c !== null && list.head === c && c._key <= limit);
      this.#headChanged(list);
    }
  }

  /** The smallest head deadline among the root's children: how far the root list may run alone. */
  #secondDeadline(): number {
    const heap = this.#heap;
    let best = Infinity;
    if (heap.length > 1) best = heap[1].head!._key;
    if (heap.length > 2 && heap[2].head!._key < best) best = heap[2].head!._key;
    return best;
  }

  /** Restores the heap after `list`'s head changed (or the list emptied). */
  #headChanged(list: TimerList): void {
    if (list.index < 0) return;
    if (list.head === null) {
      const heap = this.#heap;
      const last = heap.pop()!;
      const index = list.index;
      list.index = -1;
      if (last !== list) {
        heap[index] = last;
        last.index = index;
        this.#down(index);
        this.#up(last.index);
      }
      return;
    }
    this.#down(list.index);
    this.#up(list.index);
  }

  #up(index: number): void {
    const heap = this.#heap;
    const list = heap[index];
    const key = list.head!._key;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex];
      if (parent.head!._key <= key) break;
      heap[index] = parent;
      parent.index = index;
      index = parentIndex;
    }
    heap[index] = list;
    list.index = index;
  }

  #down(index: number): void {
    const heap = this.#heap;
    const length = heap.length;
    const list = heap[index];
    const key = list.head!._key;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && heap[right].head!._key < heap[left].head!._key ? right : left;
      if (heap[child].head!._key >= key) break;
      heap[index] = heap[child];
      heap[index].index = index;
      index = child;
    }
    heap[index] = list;
    list.index = index;
  }
}
