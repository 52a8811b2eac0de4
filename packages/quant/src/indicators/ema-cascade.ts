import { assertPeriod, runSeries } from './window.js';

/**
 * Cascaded EMAs as Tulip Indicators chains them: stage 1 is seeded with the first input; stage k+1 is
 * seeded with stage k's value on the bar where stage k has seen `period` values, then smoothed with
 * the same α = 2 / (period + 1). Shared by DEMA and TEMA.
 */
export class EmaCascade {
  private readonly alpha: number;
  private n = 0;
  /** Current value of each stage (NaN until seeded). */
  readonly stages: Float64Array;

  /**
   * @param period - smoothing period ≥ 1.
   * @param depth - number of chained EMAs.
   */
  constructor(readonly period: number, depth: number) {
    assertPeriod(period, 'EMA cascade');
    this.alpha = 2 / (period + 1);
    this.stages = new Float64Array(depth).fill(NaN);
  }

  /** Feeds one value; returns true once every stage has finished its warm-up. */
  update(x: number): boolean {
    const i = this.n++;
    const a = this.alpha;
    const s = this.stages;
    s[0] = i === 0 ? x : s[0] + a * (x - s[0]);
    for (let k = 1; k < s.length; k++) {
      const seedAt = k * (this.period - 1);
      if (i === seedAt) s[k] = s[k - 1];
      else if (i > seedAt) s[k] = s[k] + a * (s[k - 1] - s[k]);
    }
    // Tulip emits the combination one full period after the last stage is seeded: depth·(period − 1).
    return i >= s.length * (this.period - 1);
  }
}

/**
 * Double EMA, 2·EMA − EMA(EMA), streaming (Mulloy 1994). Warm-up: `2·(period − 1)` NaN outputs,
 * matching Tulip Indicators' `dema`.
 */
export class Dema {
  private readonly c: EmaCascade;
  /** Latest output. */
  value = NaN;

  /** @param period - smoothing period ≥ 1. */
  constructor(readonly period: number) {
    this.c = new EmaCascade(period, 2);
  }

  /** Feeds one value. */
  update(x: number): number {
    const ready = this.c.update(x);
    this.value = ready ? 2 * this.c.stages[0] - this.c.stages[1] : NaN;
    return this.value;
  }
}

/** DEMA over an array. */
export function dema(values: ArrayLike<number>, period: number): Float64Array {
  return runSeries(values, new Dema(period));
}

/**
 * Triple EMA, 3·EMA − 3·EMA² + EMA³, streaming (Mulloy 1994). Warm-up: `3·(period − 1)` NaN outputs,
 * matching Tulip Indicators' `tema`.
 */
export class Tema {
  private readonly c: EmaCascade;
  /** Latest output. */
  value = NaN;

  /** @param period - smoothing period ≥ 1. */
  constructor(readonly period: number) {
    this.c = new EmaCascade(period, 3);
  }

  /** Feeds one value. */
  update(x: number): number {
    const ready = this.c.update(x);
    const s = this.c.stages;
    this.value = ready ? 3 * s[0] - 3 * s[1] + s[2] : NaN;
    return this.value;
  }
}

/** TEMA over an array. */
export function tema(values: ArrayLike<number>, period: number): Float64Array {
  return runSeries(values, new Tema(period));
}
