import { parseTimeframe, type Timeframe } from '../data/timeframe.js';

/**
 * Trading calendar used to annualize. `crypto` trades 24 h a day, 365 days a year; `equities` trades
 * 252 days a year, 6.5 h a day (NYSE regular session), so 1h bars give 252 × 6.5 = 1638 per year.
 */
export type Calendar = 'crypto' | 'equities';

const HOURS_PER_DAY: Record<Calendar, number> = { crypto: 24, equities: 6.5 };
const DAYS_PER_YEAR: Record<Calendar, number> = { crypto: 365, equities: 252 };
const WEEKS_PER_YEAR = 52;

/**
 * Bars per year for a timeframe under a calendar: the factor that annualizes per-bar statistics
 * (returns × n, volatility × √n). Weekly and monthly bars are calendar-free (52 and 12).
 */
export function periodsPerYear(timeframe: Timeframe | string, calendar: Calendar = 'crypto'): number {
  const tf = typeof timeframe === 'string' ? parseTimeframe(timeframe) : timeframe;
  const days = DAYS_PER_YEAR[calendar];
  const hours = HOURS_PER_DAY[calendar];
  switch (tf.unit) {
    case 's':
      return (days * hours * 3600) / tf.count;
    case 'm':
      return (days * hours * 60) / tf.count;
    case 'h':
      return (days * hours) / tf.count;
    case 'd':
      return days / tf.count;
    case 'w':
      return WEEKS_PER_YEAR / tf.count;
    case 'M':
      return 12 / tf.count;
  }
}
