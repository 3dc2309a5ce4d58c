/**
 * Rate limiting for live refreshes: the first call runs at once, later calls within `ms`
 * collapse into one trailing call, so a burst of live events costs at most one request at
 * its start and one at its end — and the last state is always fetched.
 */
export interface Throttled {
  (): void;
  /** Drops a pending trailing call (on unmount). */
  cancel(): void;
}

export function throttle(run: () => void, ms: number, now: () => number = Date.now): Throttled {
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const fire = () => {
    timer = undefined;
    last = now();
    run();
  };
  const throttled = () => {
    if (timer !== undefined) return;
    const wait = last + ms - now();
    if (wait <= 0) fire();
    else timer = setTimeout(fire, wait);
  };
  throttled.cancel = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  return throttled;
}
