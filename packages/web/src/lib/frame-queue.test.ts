import { describe, expect, it } from 'vitest';
import { FRAME_MS, FrameQueue, SCROLL_QUIET_MS, type FrameClock, type FrameWork } from './frame-queue.js';

/**
 * A clock whose frames and idle periods run when the test says, and whose time the work
 * advances; frames start `frameMs` apart (or later, when one runs over).
 */
function fakeClock(frameMs = FRAME_MS) {
  let time = 0;
  const frames: Array<(frameStart: number) => void> = [];
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
    /** A frame whose rendering took `took` ms; then the slot after it. */
    frame: (took = 2) => {
      const start = time;
      time += took;
      frames.splice(0).forEach((callback) => callback(start));
      // The next frame starts on the next vsync (or at once when this one ran over).
      time = Math.max(time, start + frameMs);
    },
    /** An idle period ending at `deadline` (ms from now). */
    idle: (ms: number) => {
      const end = time + ms;
      idles.splice(0).forEach((callback) => callback(() => end - time));
    },
    pending: () => ({ frames: frames.length, idles: idles.length }),
  };
}

type Clock = ReturnType<typeof fakeClock>;

/** A piece that records its name and takes `ms` of the clock. */
function piece(clock: Clock, ran: string[], name: string, ms: number, options: { urgent?: () => boolean; draws?: boolean } = {}): FrameWork {
  return {
    urgent: options.urgent ?? (() => true),
    ...(options.draws ? { draws: () => true } : {}),
    run: () => {
      ran.push(name);
      clock.advance(ms);
    },
  };
}

describe('FrameQueue', () => {
  it('runs urgent work after the next frame, within a budget per frame, one piece at least', () => {
    const clock = fakeClock();
    const queue = new FrameQueue(clock.clock, 6);
    const ran: string[] = [];
    queue.add(piece(clock, ran, 'a', 10));
    queue.add(piece(clock, ran, 'b', 2));
    queue.add(piece(clock, ran, 'c', 2));
    expect(ran).toEqual([]);
    clock.frame();
    expect(ran).toEqual(['a']); // over budget: the rest waits for the next frame
    clock.frame();
    expect(ran).toEqual(['a', 'b', 'c']);
    expect(queue.size).toBe(0);
  });

  it('runs a piece queued by another in the same slot while the budget lasts', () => {
    const clock = fakeClock();
    const queue = new FrameQueue(clock.clock, 6);
    const ran: string[] = [];
    queue.add({ urgent: () => true, run: () => (ran.push('data'), clock.advance(2), queue.add(piece(clock, ran, 'chart', 5))) });
    clock.frame();
    expect(ran).toEqual(['data', 'chart']);
  });

  it('ends a slot, or an idle period, with a piece that draws', () => {
    const clock = fakeClock();
    const queue = new FrameQueue(clock.clock, 6);
    const ran: string[] = [];
    queue.add(piece(clock, ran, 'chart 1', 1, { draws: true }));
    queue.add(piece(clock, ran, 'chart 2', 1, { draws: true }));
    clock.frame();
    expect(ran).toEqual(['chart 1']);
    clock.frame();
    expect(ran).toEqual(['chart 1', 'chart 2']);

    const later: string[] = [];
    queue.add(piece(clock, later, 'chart 3', 1, { urgent: () => false, draws: true }));
    queue.add(piece(clock, later, 'chart 4', 1, { urgent: () => false, draws: true }));
    clock.idle(50);
    expect(later).toEqual(['chart 3']);
    clock.idle(50);
    expect(later).toEqual(['chart 3', 'chart 4']);
  });

  it('leaves the slot after a frame that took most of its time empty, once in a row', () => {
    const clock = fakeClock();
    const queue = new FrameQueue(clock.clock, 6);
    const ran: string[] = [];
    queue.add(piece(clock, ran, 'a', 1));
    queue.add(piece(clock, ran, 'b', 1, { draws: true }));
    queue.add(piece(clock, ran, 'c', 1));
    clock.frame(12);
    expect(ran).toEqual([]);
    clock.frame(12);
    expect(ran).toEqual(['a', 'b']);
    clock.frame(2);
    expect(ran).toEqual(['a', 'b', 'c']);
  });

  it('runs other work only in idle periods long enough for it, in order', () => {
    const clock = fakeClock();
    const queue = new FrameQueue(clock.clock);
    const ran: string[] = [];
    for (const name of ['a', 'b', 'c']) queue.add(piece(clock, ran, name, 5, { urgent: () => false }));
    expect(clock.pending().frames).toBe(0);
    clock.idle(4);
    expect(ran).toEqual([]);
    clock.idle(14);
    expect(ran).toEqual(['a', 'b']);
    clock.idle(50);
    expect(ran).toEqual(['a', 'b', 'c']);
  });

  it('asks again whether a piece is urgent: one scrolled onto the screen goes after the next frame', () => {
    const clock = fakeClock();
    const queue = new FrameQueue(clock.clock);
    let onScreen = false;
    const ran: string[] = [];
    queue.add(piece(clock, ran, 'chart', 1, { urgent: () => onScreen }));
    expect(clock.pending().frames).toBe(0);
    onScreen = true;
    queue.add(piece(clock, ran, 'other', 1, { urgent: () => false }));
    clock.frame();
    expect(ran).toEqual(['chart']);
  });

  it('drops a piece taken out before it ran', () => {
    const clock = fakeClock();
    const queue = new FrameQueue(clock.clock);
    const ran: string[] = [];
    const cancel = queue.add(piece(clock, ran, 'a', 1));
    cancel();
    clock.frame();
    clock.idle(50);
    expect(ran).toEqual([]);
  });

  it('while the page scrolls: one piece per frame with time to spare, urgent first, none in idle periods', () => {
    const clock = fakeClock();
    const queue = new FrameQueue(clock.clock, 6);
    const ran: string[] = [];
    queue.scrolled();
    expect(clock.pending()).toEqual({ frames: 0, idles: 0 });
    queue.add(piece(clock, ran, 'near 1', 1, { urgent: () => false }));
    queue.add(piece(clock, ran, 'near 2', 1, { urgent: () => false }));
    queue.add(piece(clock, ran, 'on screen 1', 1));
    queue.add(piece(clock, ran, 'on screen 2', 1));
    clock.idle(50);
    expect(ran).toEqual([]);
    clock.frame(2);
    expect(ran).toEqual(['on screen 1']);
    // A frame that took most of its time runs nothing, however many in a row.
    queue.scrolled();
    clock.frame(12);
    clock.frame(12);
    expect(ran).toEqual(['on screen 1']);
    queue.scrolled();
    clock.frame(2);
    queue.scrolled();
    clock.frame(2);
    expect(ran).toEqual(['on screen 1', 'on screen 2', 'near 1']);
    // The scrolling stops: the rest goes on as usual, in idle time.
    clock.advance(SCROLL_QUIET_MS);
    expect(queue.scrolling).toBe(false);
    clock.frame(2);
    clock.idle(50);
    expect(ran).toEqual(['on screen 1', 'on screen 2', 'near 1', 'near 2']);
  });

  it('while the page scrolls, holds pieces that draw until it pauses, and runs the others meanwhile', () => {
    const clock = fakeClock();
    const queue = new FrameQueue(clock.clock, 6);
    const ran: string[] = [];
    queue.scrolled();
    queue.add(piece(clock, ran, 'chart', 4, { draws: true }));
    queue.add(piece(clock, ran, 'legend', 1));
    queue.add(piece(clock, ran, 'near chart', 4, { urgent: () => false, draws: true }));
    clock.frame(2);
    queue.scrolled();
    clock.frame(2);
    queue.scrolled();
    clock.frame(2);
    expect(ran).toEqual(['legend']);
    // The scrolling pauses: the charts are drawn, the one on screen first.
    clock.advance(SCROLL_QUIET_MS);
    clock.frame(2);
    clock.idle(50);
    expect(ran).toEqual(['legend', 'chart', 'near chart']);
  });

  it("takes the display's frame from two frames in a row: at 120 Hz, a frame of 3 ms leaves too little for a piece while scrolling", () => {
    const clock = fakeClock(1000 / 120);
    const queue = new FrameQueue(clock.clock, 6);
    const ran: string[] = [];
    queue.scrolled();
    queue.add(piece(clock, ran, 'chart', 1));
    // The first frame is taken as 60 Hz: 13.7 ms left, the piece runs.
    clock.frame(3);
    expect(ran).toEqual(['chart']);
    queue.add(piece(clock, ran, 'chart 2', 1));
    queue.scrolled();
    clock.frame(3);
    queue.scrolled();
    clock.frame(3);
    expect(ran).toEqual(['chart']);
    // Not scrolling: it runs after the next frame all the same (an empty slot once at most).
    clock.advance(SCROLL_QUIET_MS);
    clock.frame(3);
    clock.frame(3);
    expect(ran).toEqual(['chart', 'chart 2']);
  });
});
