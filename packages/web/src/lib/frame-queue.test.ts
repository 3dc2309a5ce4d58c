import { describe, expect, it } from 'vitest';
import { FrameQueue, type FrameClock } from './frame-queue.js';

/** A clock whose frames and idle periods run when the test says, and whose time the work advances. */
function fakeClock() {
  let time = 0;
  const frames: Array<() => void> = [];
  const idles: Array<(timeRemaining: () => number) => void> = [];
  const clock: FrameClock = {
    requestFrame: (callback) => frames.push(callback),
    requestIdle: (callback) => idles.push(callback),
    now: () => time,
  };
  return {
    clock,
    advance: (ms: number) => {
      time += ms;
    },
    frame: () => frames.splice(0).forEach((callback) => callback()),
    /** An idle period ending at `deadline` (ms from now). */
    idle: (ms: number) => {
      const end = time + ms;
      idles.splice(0).forEach((callback) => callback(() => end - time));
    },
    pending: () => ({ frames: frames.length, idles: idles.length }),
  };
}

describe('FrameQueue', () => {
  it('runs urgent work in the next frame, within a budget per frame, one piece at least', () => {
    const clock = fakeClock();
    const queue = new FrameQueue(clock.clock, 6);
    const ran: string[] = [];
    const piece = (name: string, ms: number) => ({ urgent: () => true, run: () => (ran.push(name), clock.advance(ms)) });
    queue.add(piece('a', 10));
    queue.add(piece('b', 2));
    queue.add(piece('c', 2));
    expect(ran).toEqual([]);
    clock.frame();
    expect(ran).toEqual(['a']); // over budget: the rest waits for the next frame
    clock.frame();
    expect(ran).toEqual(['a', 'b', 'c']);
    expect(queue.size).toBe(0);
  });

  it('runs other work only in idle periods long enough for it, in order', () => {
    const clock = fakeClock();
    const queue = new FrameQueue(clock.clock);
    const ran: string[] = [];
    for (const name of ['a', 'b', 'c']) queue.add({ urgent: () => false, run: () => (ran.push(name), clock.advance(5)) });
    clock.frame();
    expect(ran).toEqual([]);
    clock.idle(4);
    expect(ran).toEqual([]);
    clock.idle(14);
    expect(ran).toEqual(['a', 'b']);
    clock.idle(50);
    expect(ran).toEqual(['a', 'b', 'c']);
  });

  it('asks again whether a piece is urgent: one scrolled onto the screen goes in the next frame', () => {
    const clock = fakeClock();
    const queue = new FrameQueue(clock.clock);
    let onScreen = false;
    const ran: string[] = [];
    queue.add({ urgent: () => onScreen, run: () => ran.push('chart') });
    expect(clock.pending().frames).toBe(0);
    onScreen = true;
    queue.add({ urgent: () => false, run: () => ran.push('other') });
    clock.frame();
    expect(ran).toEqual(['chart']);
  });

  it('drops a piece taken out before it ran', () => {
    const clock = fakeClock();
    const queue = new FrameQueue(clock.clock);
    const ran: string[] = [];
    const cancel = queue.add({ urgent: () => true, run: () => ran.push('a') });
    cancel();
    clock.frame();
    clock.idle(50);
    expect(ran).toEqual([]);
  });
});
