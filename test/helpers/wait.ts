/**
 * Waiting in tests on what the code under test does, not on the wall clock: `when` checks its
 * condition at once and again after each notification of an event source (the simulator's
 * counters, a process's output, a pool's activity), never on a timer. The only timer is the
 * bound, after which it fails naming what it waited for.
 */

/** Subscribes `notify` to an event source; returns the function that unsubscribes it. */
export type Subscribe = (notify: () => void) => () => void;

/** Resolves once `ok()` holds (checked now and after every event of `subscribe`); rejects after `ms`. */
export function when(what: string, subscribe: Subscribe, ok: () => boolean, ms = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let off: () => void = () => undefined;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      off();
      if (err) reject(err);
      else resolve();
    };
    const check = () => {
      try {
        if (ok()) finish();
      } catch (err) {
        finish(err as Error);
      }
    };
    const timer = setTimeout(() => finish(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    off = subscribe(check);
    check();
  });
}
