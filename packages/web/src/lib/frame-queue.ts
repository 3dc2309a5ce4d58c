/**
 * Work that puts something new on screen, run a piece at a time so that each piece shows as
 * soon as it is done: urgent pieces (what is on screen) in animation frames, a few
 * milliseconds' worth per frame; the others when the page is idle. Twenty charts whose data
 * arrives at once then paint one after another — the first after one chart's work, not
 * twenty — and scrolling stays fluid while charts off screen are prepared.
 */

export interface FrameWork {
  run: () => void;
  /** Asked when the queue picks its next piece: whether this one is for the screen now. */
  urgent: () => boolean;
}

/** The browser's timers, replaceable in tests. */
export interface FrameClock {
  requestFrame: (callback: () => void) => void;
  requestIdle: (callback: (timeRemaining: () => number) => void) => void;
  now: () => number;
}

/** An idle period this short is left alone: a chart's work would overrun it into a frame. */
export const MIN_IDLE_MS = 8;

export class FrameQueue {
  private readonly pending = new Set<FrameWork>();
  private frameRequested = false;
  private idleRequested = false;

  /** `budgetMs`: urgent work per frame beyond the first piece. */
  constructor(
    private readonly clock: FrameClock,
    private readonly budgetMs = 6,
  ) {}

  /** Queues `work`; returns a function that takes it out again (when it is no longer wanted). */
  add(work: FrameWork): () => void {
    this.pending.add(work);
    this.wake();
    return () => {
      this.pending.delete(work);
    };
  }

  /** Pieces waiting. */
  get size(): number {
    return this.pending.size;
  }

  private wake(): void {
    if (this.pending.size === 0) return;
    if (!this.frameRequested && [...this.pending].some((work) => work.urgent())) {
      this.frameRequested = true;
      this.clock.requestFrame(() => this.runFrame());
    }
    if (!this.idleRequested) {
      this.idleRequested = true;
      this.clock.requestIdle((timeRemaining) => this.runIdle(timeRemaining));
    }
  }

  private take(work: FrameWork): void {
    this.pending.delete(work);
    work.run();
  }

  private runFrame(): void {
    this.frameRequested = false;
    const start = this.clock.now();
    for (const work of [...this.pending]) {
      if (!this.pending.has(work) || !work.urgent()) continue;
      this.take(work);
      if (this.clock.now() - start >= this.budgetMs) break;
    }
    this.wake();
  }

  private runIdle(timeRemaining: () => number): void {
    this.idleRequested = false;
    for (const work of [...this.pending]) {
      if (timeRemaining() < MIN_IDLE_MS) break;
      if (this.pending.has(work)) this.take(work);
    }
    this.wake();
  }
}
