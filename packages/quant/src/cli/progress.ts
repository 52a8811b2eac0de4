/**
 * The sweep progress display: a bar with rate and ETA redrawn in place on a terminal, plain lines when
 * forced on a pipe (`--progress always`, what tests and log collectors read), nothing otherwise.
 */

/** Where progress goes and in which form. */
export interface ProgressSink {
  /** Writes raw text (no newline added). */
  write(text: string): void;
  /** `bar`: redraw in place; `lines`: one line per update; `off`: silent. */
  mode: 'bar' | 'lines' | 'off';
}

/** Formats seconds as `42 s`, `3 m 05 s` or `1 h 02 m`. */
export function formatDuration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} m ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} m`;
}

/** One progress line: `[#####-----]  50.0 %  5000/10000  1.2 s  ETA 1.2 s  4100/s  best 1.234`. */
export function progressLine(done: number, total: number, elapsedMs: number, best: number, width = 24): string {
  const f = total > 0 ? done / total : 1;
  const fill = Math.round(f * width);
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const eta = rate > 0 ? (total - done) / rate : Infinity;
  return `[${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${(f * 100).toFixed(1).padStart(5)} %  ${done}/${total}  ${formatDuration(elapsedMs / 1000)}  ETA ${formatDuration(eta)}  ${Math.round(rate)}/s  best ${best === best ? best.toFixed(4) : '-'}`;
}

/**
 * A throttled progress reporter: `update` redraws at most every `intervalMs` (always for the final
 * update), and `end` finishes the line so later output starts on a fresh one.
 */
export class ProgressBar {
  readonly #sink: ProgressSink;
  readonly #intervalMs: number;
  #last = -Infinity;
  #drawn = false;

  /** @param sink - where to draw. @param intervalMs - minimum time between redraws. */
  constructor(sink: ProgressSink, intervalMs = 100) {
    this.#sink = sink;
    this.#intervalMs = intervalMs;
  }

  /** Reports progress. */
  update(done: number, total: number, elapsedMs: number, best: number): void {
    if (this.#sink.mode === 'off') return;
    const now = performance.now();
    if (done < total && now - this.#last < this.#intervalMs) return;
    this.#last = now;
    const line = progressLine(done, total, elapsedMs, best);
    if (this.#sink.mode === 'bar') {
      // \r and clear-to-end-of-line: redraw in place without scrolling the terminal.
      this.#sink.write(`\r${line}\x1b[K`);
      this.#drawn = true;
    } else this.#sink.write(`progress ${line}\n`);
  }

  /** Ends the bar's line. */
  end(): void {
    if (this.#drawn) this.#sink.write('\n');
    this.#drawn = false;
  }
}
