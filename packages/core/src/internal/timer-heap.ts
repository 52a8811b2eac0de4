import type { Completion } from '../completion.js';

/**
 * A binary min-heap of timer completions ordered by deadline, then by insertion order so that timers with
 * equal deadlines fire in the order they were armed. Each completion stores its own heap index, which
 * makes removal O(log n) and allocation-free.
 */
export class TimerHeap {
  #items: Completion[] = [];
  #sequence = 0;

  get size(): number {
    return this.#items.length;
  }

  /** The earliest timer, or undefined. */
  peek(): Completion | undefined {
    return this.#items[0];
  }

  push(c: Completion): void {
    c._sequence = this.#sequence++;
    c._heapIndex = this.#items.length;
    this.#items.push(c);
    this.#up(c._heapIndex);
  }

  /** Removes and returns the earliest timer. */
  pop(): Completion | undefined {
    const items = this.#items;
    const top = items[0];
    if (top === undefined) return undefined;
    const last = items.pop()!;
    if (last !== top) {
      items[0] = last;
      last._heapIndex = 0;
      this.#down(0);
    }
    top._heapIndex = -1;
    return top;
  }

  /** Removes `c` wherever it is; a no-op if it is not in the heap. */
  remove(c: Completion): void {
    const index = c._heapIndex;
    const items = this.#items;
    if (index < 0 || items[index] !== c) return;
    const last = items.pop()!;
    c._heapIndex = -1;
    if (last === c) return;
    items[index] = last;
    last._heapIndex = index;
    this.#down(index);
    this.#up(last._heapIndex);
  }

  #less(a: Completion, b: Completion): boolean {
    return a._deadline < b._deadline || (a._deadline === b._deadline && a._sequence < b._sequence);
  }

  #up(index: number): void {
    const items = this.#items;
    const item = items[index];
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = items[parentIndex];
      if (!this.#less(item, parent)) break;
      items[index] = parent;
      parent._heapIndex = index;
      index = parentIndex;
    }
    items[index] = item;
    item._heapIndex = index;
  }

  #down(index: number): void {
    const items = this.#items;
    const length = items.length;
    const item = items[index];
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && this.#less(items[right], items[left]) ? right : left;
      if (!this.#less(items[child], item)) break;
      items[index] = items[child];
      items[index]._heapIndex = index;
      index = child;
    }
    items[index] = item;
    item._heapIndex = index;
  }
}
