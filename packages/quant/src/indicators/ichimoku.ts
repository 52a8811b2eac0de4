import { Window, assertPeriod, nanArrays, type HlcArrays, type HlcBar } from './window.js';

/** One Ichimoku output, aligned to the bar on which each value is *plotted*. */
export interface IchimokuValue {
  /** Conversion line: (HH + LL)/2 over `tenkan` bars. */
  tenkan: number;
  /** Base line: (HH + LL)/2 over `kijun` bars. */
  kijun: number;
  /** Leading span A: (tenkan + kijun)/2 computed `displacement` bars ago. */
  senkouA: number;
  /** Leading span B: (HH + LL)/2 over `senkouB` bars, computed `displacement` bars ago. */
  senkouB: number;
  /**
   * Lagging span: this bar's close. Charts draw it `displacement` bars back; it is reported on the bar
   * where it becomes known so the indicator never looks ahead.
   */
  chikou: number;
}

/**
 * Ichimoku Kinko Hyo (Hosoda), streaming, defaults 9/26/52/26. The cloud spans are shifted forward by
 * reporting at bar t the values computed at bar t − displacement. Warm-ups: tenkan `tenkan − 1`, kijun
 * `kijun − 1`, senkou A `kijun − 1 + displacement`, senkou B `senkouB − 1 + displacement` NaN bars.
 */
export class Ichimoku {
  private readonly hT: Window;
  private readonly lT: Window;
  private readonly hK: Window;
  private readonly lK: Window;
  private readonly hB: Window;
  private readonly lB: Window;
  private readonly delayA: Window;
  private readonly delayB: Window;
  /** Latest output. */
  value: IchimokuValue = { tenkan: NaN, kijun: NaN, senkouA: NaN, senkouB: NaN, chikou: NaN };

  /**
   * @param tenkan - conversion period (9).
   * @param kijun - base period (26).
   * @param senkouB - span B period (52).
   * @param displacement - forward shift of the cloud (26).
   */
  constructor(readonly tenkan = 9, readonly kijun = 26, readonly senkouB = 52, readonly displacement = 26) {
    for (const [p, n] of [[tenkan, 'tenkan'], [kijun, 'kijun'], [senkouB, 'senkou B'], [displacement, 'displacement']] as const) {
      assertPeriod(p, `Ichimoku ${n}`);
    }
    this.hT = new Window(tenkan);
    this.lT = new Window(tenkan);
    this.hK = new Window(kijun);
    this.lK = new Window(kijun);
    this.hB = new Window(senkouB);
    this.lB = new Window(senkouB);
    // One extra slot: the value computed `displacement` bars ago is still held after this bar's push.
    this.delayA = new Window(displacement + 1);
    this.delayB = new Window(displacement + 1);
  }

  /** Feeds one bar. */
  update(bar: HlcBar): IchimokuValue {
    const mid = (h: Window, l: Window) => (h.full ? (h.max() + l.min()) / 2 : NaN);
    this.hT.push(bar.high);
    this.lT.push(bar.low);
    this.hK.push(bar.high);
    this.lK.push(bar.low);
    this.hB.push(bar.high);
    this.lB.push(bar.low);
    const tenkan = mid(this.hT, this.lT);
    const kijun = mid(this.hK, this.lK);
    this.delayA.push((tenkan + kijun) / 2);
    this.delayB.push(mid(this.hB, this.lB));
    this.value = {
      tenkan,
      kijun,
      senkouA: this.delayA.ago(this.displacement),
      senkouB: this.delayB.ago(this.displacement),
      chikou: bar.close,
    };
    return this.value;
  }
}

/** Ichimoku over arrays. */
export function ichimoku(bars: HlcArrays, tenkan = 9, kijun = 26, senkouB = 52, displacement = 26): Record<keyof IchimokuValue, Float64Array> {
  const n = bars.close.length;
  const [t, k, a, b, c] = nanArrays(n, 5);
  const ind = new Ichimoku(tenkan, kijun, senkouB, displacement);
  for (let i = 0; i < n; i++) {
    const v = ind.update({ high: bars.high[i], low: bars.low[i], close: bars.close[i] });
    t[i] = v.tenkan;
    k[i] = v.kijun;
    a[i] = v.senkouA;
    b[i] = v.senkouB;
    c[i] = v.chikou;
  }
  return { tenkan: t, kijun: k, senkouA: a, senkouB: b, chikou: c };
}
