import { Cqe, Sqe, SQE_OBJECTS, type Backend, type BackendFactory, type RunModeKind } from '@xev/core';

/** What one staged operation carries besides its opcode. */
export interface Staged {
  handle?: number;
  arg0?: number;
  arg1?: number;
  target?: number;
  buffer?: unknown;
  aux?: unknown;
}

/**
 * Drives a backend instance directly through the Backend interface, as the loop does: stages entries in
 * its own sq, calls enter, and collects completions by slot.
 */
export class Harness {
  readonly backend: Backend;
  readonly sq: Float64Array;
  readonly objects: (ArrayBufferView | null)[];
  readonly cq: Float64Array;
  readonly results = new Map<number, { result: number; aux: number; order: number }>();
  #staged = 0;
  #nextSlot = 0;
  #order = 0;

  readonly mode: RunModeKind;

  constructor(factory: BackendFactory, mode: RunModeKind = 'attached', entries = 64, cqEntries = entries, sqpoll = false) {
    this.mode = mode;
    this.backend = factory.create({ entries, mode, ...(sqpoll ? { sqpoll } : {}) });
    this.sq = new Float64Array(entries * Sqe.stride);
    this.objects = new Array(entries * SQE_OBJECTS).fill(null);
    this.cq = new Float64Array(cqEntries * Cqe.stride);
    this.backend.init({ sq: this.sq, objects: this.objects, cq: this.cq, sqEntries: entries, cqEntries });
  }

  /** Stages one operation; returns its slot. */
  stage(op: number, s: Staged = {}, slot = this.#nextSlot++): number {
    this.#nextSlot = Math.max(this.#nextSlot, slot + 1);
    const i = this.#staged++;
    const base = i * Sqe.stride;
    this.sq[base + Sqe.op] = op;
    this.sq[base + Sqe.slot] = slot;
    this.sq[base + Sqe.handle] = s.handle ?? -1;
    this.sq[base + Sqe.arg0] = s.arg0 ?? 0;
    this.sq[base + Sqe.arg1] = s.arg1 ?? 0;
    this.sq[base + Sqe.target] = s.target ?? -1;
    this.objects[i * SQE_OBJECTS] = (s.buffer ?? null) as ArrayBufferView | null;
    this.objects[i * SQE_OBJECTS + 1] = (s.aux ?? null) as ArrayBufferView | null;
    return slot;
  }

  /** One enter: submits what is staged and records the completions; returns them in order. */
  enter(waitMs = 0): [slot: number, result: number, aux: number][] {
    const n = this.backend.enter(this.#staged, waitMs);
    this.objects.fill(null, 0, this.#staged * SQE_OBJECTS);
    this.#staged = 0;
    const out: [number, number, number][] = [];
    for (let i = 0; i < n; i++) {
      const b = i * Cqe.stride;
      const slot = this.cq[b + Cqe.slot];
      if (this.results.has(slot)) throw new Error(`slot ${slot} completed twice`);
      this.results.set(slot, { result: this.cq[b + Cqe.result], aux: this.cq[b + Cqe.aux], order: this.#order++ });
      out.push([slot, this.cq[b + Cqe.result], this.cq[b + Cqe.aux]]);
    }
    return out;
  }

  /** Enters until every slot in `slots` completed (blocking: waiting in the kernel up to 20 ms a call); returns their results. */
  async until(slots: number[], timeoutMs = 5000): Promise<number[]> {
    const end = performance.now() + timeoutMs;
    for (;;) {
      this.enter(this.mode === 'blocking' ? 20 : 0);
      if (slots.every((s) => this.results.has(s))) break;
      if (performance.now() > end) throw new Error(`slots ${slots.filter((s) => !this.results.has(s))} did not complete`);
      await new Promise((r) => setTimeout(r, this.mode === 'blocking' ? 0 : 1));
    }
    return slots.map((s) => this.results.get(s)!.result);
  }

  /** The result of `slot`, forgetting it (so the slot can be reused). */
  take(slot: number): number {
    const r = this.results.get(slot);
    if (!r) throw new Error(`slot ${slot} has not completed`);
    this.results.delete(slot);
    return r.result;
  }
}
