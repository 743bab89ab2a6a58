/**
 * Exponential backoff with jitter. The jitter matters more than the curve: several accounts fetched at once must not
 * retry in lockstep, or they hit LimitExceeded together again (field research C.1, C.7).
 */
export interface BackoffSettings {
  /** Delay before the first retry, in ms. */
  baseMs: number;
  /** No single wait is longer than this, in ms. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffSettings = { baseMs: 1000, maxMs: 20000 };

/** "Equal jitter": half the exponential delay is kept, the other half is random, so waits still grow. */
export function backoffDelay(attempt: number, settings: BackoffSettings, random: () => number = Math.random): number {
  const exponential = Math.min(settings.maxMs, settings.baseMs * 2 ** Math.max(0, attempt));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
