/**
 * The queue the panels draw through (see lib/frame-queue.ts), on the browser's clock: the
 * slot after a frame is a task posted from an animation frame callback (it runs once that
 * frame has been rendered), idle periods are idle callbacks (a timer where the browser has
 * none). Every scroll on the page, of the page or of an element in it, tells the queue.
 */
import { FrameQueue, MIN_IDLE_MS, type FrameClock } from './lib/frame-queue.js';

const afterFrame = new MessageChannel();
const afterFrameCallbacks: Array<() => void> = [];
afterFrame.port1.onmessage = () => {
  for (const callback of afterFrameCallbacks.splice(0)) callback();
};

const browserClock: FrameClock = {
  requestFrame: (callback) =>
    requestAnimationFrame((frameStart) => {
      afterFrameCallbacks.push(() => callback(frameStart));
      afterFrame.port2.postMessage(null);
    }),
  requestIdle: (callback) => {
    if (typeof requestIdleCallback === 'function') requestIdleCallback((deadline) => callback(() => deadline.timeRemaining()));
    else setTimeout(() => callback(() => MIN_IDLE_MS), 50);
  },
  now: () => performance.now(),
};

export const drawQueue = new FrameQueue(browserClock);

// Scroll events do not bubble: a listener capturing on the window sees the page's and every element's.
addEventListener('scroll', () => drawQueue.scrolled(), { capture: true, passive: true });
