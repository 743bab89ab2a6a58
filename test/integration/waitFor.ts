// Waiting for states, not for time: a busy machine makes every step slower, so no wait here has a deadline of its
// own. The only limit is the per-test timeout of the mocha run (CREDCHECK_TEST_TIMEOUT_MS), and when a test fails
// the index names the states it was still waiting for (see pendingWaits).

/** Anything with VS Code's event shape: `event(listener)` returns a disposable. */
export type StateEvent = (listener: () => unknown) => { dispose(): unknown };

export interface WaitOptions {
  /** Events after which the state is checked again at once (a tree change, a selection, a result). */
  events?: StateEvent[];
  /** How often the state is checked between events, for states that fire no event (default 100 ms). */
  pollMs?: number;
}

/** The waits in progress, with the last error their probe threw (a probe may throw until the state exists). */
const pending = new Map<symbol, { what: string; lastError?: unknown }>();

/** What the running test is waiting for right now; the test index adds it to a failure. */
export function pendingWaits(): string[] {
  return [...pending.values()].map(({ what, lastError }) => (lastError ? `${what} (the last check threw: ${String(lastError)})` : what));
}

/** Resolves with the first truthy value of `probe`, checked now, after each event and on each poll. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | null | Promise<T | undefined | false | null>, options: WaitOptions = {}): Promise<T> {
  const key = Symbol(what);
  const state: { what: string; lastError?: unknown } = { what };
  pending.set(key, state);
  let wake: (() => void) | undefined;
  const subscriptions = (options.events ?? []).map((event) => event(() => wake?.()));
  try {
    for (;;) {
      try {
        const value = await probe();
        if (value) return value;
        state.lastError = undefined;
      } catch (error) {
        state.lastError = error;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.pollMs ?? 100);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    subscriptions.forEach((subscription) => subscription.dispose());
    pending.delete(key);
  }
}
