import { Sma } from './sma.js';
import { Window, assertPeriod, nanArrays, type HlcArrays, type HlcBar } from './window.js';

/** One stochastic output. */
export interface StochasticValue {
  /** Slow %K. */
  k: number;
  /** %D, the SMA of %K. */
  d: number;
}

/**
 * Slow stochastic oscillator (Lane), streaming. Fast %K = 100·(close − LL)/(HH − LL) over `kPeriod`
 * bars (50 when HH = LL); %K = SMA(fast %K, kSlowing); %D = SMA(%K, dPeriod).
 * Warm-up: %K is NaN for `kPeriod + kSlowing − 2` bars and %D for `kPeriod + kSlowing + dPeriod − 3`
 * (Tulip reports both from the later bar; the values agree where both exist).
 */
export class Stochastic {
  private readonly hi: Window;
  private readonly lo: Window;
  private readonly kSma: Sma;
  private readonly dSma: Sma;
  /** Latest output. */
  value: StochasticValue = { k: NaN, d: NaN };

  /**
   * @param kPeriod - look-back for the high/low range (14 classically).
   * @param kSlowing - SMA applied to fast %K (3).
   * @param dPeriod - SMA applied to %K to form %D (3).
   */
  constructor(readonly kPeriod: number, readonly kSlowing: number, readonly dPeriod: number) {
    assertPeriod(kPeriod, 'stochastic %K');
    this.hi = new Window(kPeriod);
    this.lo = new Window(kPeriod);
    this.kSma = new Sma(kSlowing);
    this.dSma = new Sma(dPeriod);
  }

  /** Feeds one bar. */
  update(bar: HlcBar): StochasticValue {
    this.hi.push(bar.high);
    this.lo.push(bar.low);
    if (!this.hi.full) return this.value;
    const hh = this.hi.max();
    const ll = this.lo.min();
    const fast = hh === ll ? 50 : (100 * (bar.close - ll)) / (hh - ll);
    const k = this.kSma.update(fast);
    const d = Number.isNaN(k) ? NaN : this.dSma.update(k);
    this.value = { k, d };
    return this.value;
  }
}

/** Stochastic over arrays. */
export function stochastic(bars: HlcArrays, kPeriod: number, kSlowing: number, dPeriod: number): { k: Float64Array; d: Float64Array } {
  const n = bars.close.length;
  const [k, d] = nanArrays(n, 2);
  const ind = new Stochastic(kPeriod, kSlowing, dPeriod);
  for (let i = 0; i < n; i++) {
    const v = ind.update({ high: bars.high[i], low: bars.low[i], close: bars.close[i] });
    k[i] = v.k;
    d[i] = v.d;
  }
  return { k, d };
}
