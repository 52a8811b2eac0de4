import type { Loop } from '../loop.js';
import { OpCode } from '../backend/layout.js';
import type { Callback } from '../completion.js';
import { Completion } from '../completion.js';

/**
 * A timer in libxev's shape: stateless, driven by caller-owned completions. The callback's result is 0
 * when the timer fired and ECANCELED when it was cancelled. A callback that returns `rearm` fires again
 * after the same relative delay (Differs from libxev: libxev refires at once), so an interval is a timer
 * whose callback rearms.
 */
export class Timer {
  /** Fires `callback` no earlier than `ms` milliseconds from now. */
  run<U>(loop: Loop, c: Completion<U>, ms: number, userdata: U, callback: Callback<U>): void {
    c.prep(OpCode.timer, -1, null, null, ms);
    c.userdata = userdata;
    c.callback = callback;
    loop.add(c);
  }

  /**
   * Moves the timer's deadline to `ms` from now, with a new callback. If `c` is not active this is `run`;
   * otherwise `cancelC` carries the change (libxev's two-completion protocol) and `c`'s callback is not
   * called for the old deadline.
   */
  reset<U>(loop: Loop, c: Completion<U>, cancelC: Completion<any>, ms: number, userdata: U, callback: Callback<U>): void {
    if (c.state === 'dead') {
      this.run(loop, c, ms, userdata, callback);
      return;
    }
    cancelC.prep(OpCode.timerReset, -1, null, null, ms);
    cancelC.target = c;
    cancelC.callback = null;
    loop.add(cancelC);
    c.userdata = userdata;
    c.callback = callback;
  }

  /**
   * Cancels the timer `c` using `cancelC`: `c`'s callback runs with ECANCELED, then `callback` with 0 —
   * or with ENOENT if the timer had already fired.
   */
  cancel<U>(loop: Loop, c: Completion<any>, cancelC: Completion<U>, userdata: U, callback: Callback<U>): void {
    cancelC.prepCancel(c);
    cancelC.userdata = userdata;
    cancelC.callback = callback;
    loop.add(cancelC);
  }
}

/** A new completion for timers, with no callback yet. */
export function timerCompletion<U = undefined>(userdata?: U): Completion<U> {
  return new Completion<U>(userdata);
}
