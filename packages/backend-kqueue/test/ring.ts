/**
 * A minimal driver for testing the backend directly through the Backend interface, without the loop:
 * stage submission entries, call enter, collect completions by slot.
 */
import { Cqe, OpCode, SQE_OBJECTS, Sqe, type Backend, type RunModeKind } from '@xev/core';
import { setImmediate as yieldToNode } from 'node:timers/promises';
import { backend as kqueue } from '../src/index.js';

export interface Completed {
  readonly result: number;
  readonly aux: number;
}

export interface StageOptions {
  handle?: number;
  arg0?: number;
  arg1?: number;
  target?: number;
  buffer?: unknown;
  aux?: unknown;
  /** Use this slot instead of the next free one. */
  slot?: number;
}

export class Ring {
  readonly backend: Backend;
  readonly sq: Float64Array;
  readonly cq: Float64Array;
  readonly objects: (ArrayBufferView | null)[];
  readonly done = new Map<number, Completed>();
  /** Completion order, as slots. */
  readonly order: number[] = [];
  readonly mode: RunModeKind;
  readyCalls = 0;
  #staged = 0;
  #nextSlot = 0;

  constructor(mode: RunModeKind = 'blocking', entries = 256, cqEntries = entries) {
    this.mode = mode;
    this.backend = kqueue.create({ entries, mode });
    this.sq = new Float64Array(entries * Sqe.stride);
    this.cq = new Float64Array(cqEntries * Cqe.stride);
    this.objects = new Array(entries * SQE_OBJECTS).fill(null);
    this.backend.init({ sq: this.sq, objects: this.objects, cq: this.cq, sqEntries: entries, cqEntries });
    if (mode === 'attached') {
      this.backend.attach(() => {
        this.readyCalls++;
        this.enter(0);
      });
      this.backend.setRef(true);
    }
  }

  /** Stages one operation; returns its slot. */
  stage(op: number, o: StageOptions = {}): number {
    const slot = o.slot ?? this.#nextSlot++;
    const i = this.#staged++;
    const base = i * Sqe.stride;
    this.sq[base + Sqe.op] = op;
    this.sq[base + Sqe.slot] = slot;
    this.sq[base + Sqe.handle] = o.handle ?? -1;
    this.sq[base + Sqe.arg0] = o.arg0 ?? 0;
    this.sq[base + Sqe.arg1] = o.arg1 ?? 0;
    this.sq[base + Sqe.target] = o.target ?? -1;
    this.objects[i * SQE_OBJECTS] = (o.buffer ?? null) as ArrayBufferView | null;
    this.objects[i * SQE_OBJECTS + 1] = (o.aux ?? null) as ArrayBufferView | null;
    return slot;
  }

  /** Submits what is staged and records the completions; returns how many came back. */
  enter(waitMs = 0): number {
    const count = this.#staged;
    this.#staged = 0;
    const n = this.backend.enter(count, waitMs);
    this.objects.fill(null, 0, count * SQE_OBJECTS);
    for (let i = 0; i < n; i++) {
      const base = i * Cqe.stride;
      const slot = this.cq[base + Cqe.slot];
      if (this.done.has(slot)) throw new Error(`slot ${slot} completed twice`);
      this.done.set(slot, { result: this.cq[base + Cqe.result], aux: this.cq[base + Cqe.aux] });
      this.order.push(slot);
    }
    return n;
  }

  /** Submits, then waits (letting Node's loop run in between, for in-process peers) until `slots` are done. */
  async wait(slots: number | number[], timeoutMs = 5000): Promise<Completed[]> {
    const want = Array.isArray(slots) ? slots : [slots];
    const deadline = Date.now() + timeoutMs;
    this.enter(0);
    while (!want.every((s) => this.done.has(s))) {
      if (Date.now() > deadline) throw new Error(`slots ${want.filter((s) => !this.done.has(s)).join(',')} did not complete`);
      if (this.mode === 'blocking') this.enter(2);
      await yieldToNode();
    }
    return want.map((s) => this.take(s));
  }

  /** Removes and returns the completion of `slot`. */
  take(slot: number): Completed {
    const c = this.done.get(slot);
    if (!c) throw new Error(`slot ${slot} has not completed`);
    this.done.delete(slot);
    return c;
  }

  /** One operation, start to finish. */
  async run(op: number, o: StageOptions = {}): Promise<Completed> {
    const slot = this.stage(op, o);
    return (await this.wait(slot))[0];
  }

  close(): void {
    if (this.mode === 'attached') {
      this.backend.armWake(-1);
      this.backend.setRef(false);
    }
    this.backend.destroy();
  }
}

export { OpCode };
