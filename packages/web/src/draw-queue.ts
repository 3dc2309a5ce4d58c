/**
 * The queue the panels draw through (see lib/frame-queue.ts), on the browser's clock:
 * animation frames, and idle callbacks (a timer where the browser has none).
 */
import { FrameQueue, MIN_IDLE_MS, type FrameClock } from './lib/frame-queue.js';

const browserClock: FrameClock = {
  requestFrame: (callback) => requestAnimationFrame(() => callback()),
  requestIdle: (callback) => {
    if (typeof requestIdleCallback === 'function') requestIdleCallback((deadline) => callback(() => deadline.timeRemaining()));
    else setTimeout(() => callback(() => MIN_IDLE_MS), 50);
  },
  now: () => performance.now(),
};

export const drawQueue = new FrameQueue(browserClock);
