/**
 * Work that puts something new on screen, run a piece at a time so that each piece shows as
 * soon as it is done: urgent pieces (what is on screen) right after a frame, a few
 * milliseconds' worth each time; the others when the page is idle. Twenty charts whose data
 * arrives at once then paint one after another — the first after one chart's work, not
 * twenty — and scrolling stays fluid while charts off screen are prepared.
 *
 * Urgent pieces run just after a frame has been rendered, not in it (not in an animation
 * frame callback): what a piece changes is painted by the next frame, so that a piece and
 * the paint of its work fall in two frames rather than one. A frame that took most of its
 * time (it painted the last piece's work, say) leaves its slot empty when it has less than
 * {@link FRAME_SPARE_MS} left — once in a row; the next slot runs a piece whatever is left.
 *
 * While the page scrolls (a scroll in the last {@link SCROLL_QUIET_MS}), every frame is the
 * scrolling's: a piece, urgent or not, runs only in a slot with {@link FRAME_SPARE_MS} left,
 * one piece per slot, however long the wait; idle periods run nothing. A piece that draws a
 * chart waits for the scrolling to pause (a panel fetches and fills in its legend meanwhile),
 * and so does every piece when no frame has that much to spare.
 */

export interface FrameWork {
  run: () => void;
  /** Asked when the queue picks its next piece: whether this one is for the screen now. */
  urgent: () => boolean;
  /**
   * Asked when the queue picks it: whether the piece draws a chart. Most of a draw's cost is
   * out of the queue's sight — the browser rasterises a canvas as the task that drew on it
   * ends — so a piece that draws is the last of its slot or idle period.
   */
  draws?: () => boolean;
}

/** The browser's timers, replaceable in tests. */
export interface FrameClock {
  /** Calls back once the next frame has been rendered, with the time that frame started. */
  requestFrame: (callback: (frameStart: number) => void) => void;
  requestIdle: (callback: (timeRemaining: () => number) => void) => void;
  now: () => number;
}

/** An idle period this short is left alone: a chart's work would overrun it into a frame. */
export const MIN_IDLE_MS = 8;
/** The page counts as scrolling until this long after its last scroll event. */
export const SCROLL_QUIET_MS = 100;
/**
 * One frame at 60 Hz: how long a frame is taken to be until the queue has seen two frames in a
 * row closer together (a faster display).
 */
export const FRAME_MS = 1000 / 60;
/**
 * A piece runs after a frame only when the frame left this much of its length (at 60 Hz,
 * when it took 6.7 ms or less).
 */
export const FRAME_SPARE_MS = 10;
/** Frames closer together than this are not taken as the display's rate (240 Hz). */
const MIN_FRAME_MS = 4;

export class FrameQueue {
  private readonly pending = new Set<FrameWork>();
  private frameRequested = false;
  private idleRequested = false;
  private lastScrollAt = -Infinity;
  /** Whether the last slot after a frame was left empty for lack of time. */
  private skipped = false;
  /** The shortest time seen between two frames' starts (the display's frame), and the last start. */
  private frameMs = FRAME_MS;
  private lastFrameStart = -Infinity;

  /** `budgetMs`: urgent work per slot beyond the first piece, when the page is not scrolling. */
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

  /** Tells the queue that the page scrolled (see the file's comment). */
  scrolled(): void {
    this.lastScrollAt = this.clock.now();
    this.wake();
  }

  /** Whether the page scrolled in the last {@link SCROLL_QUIET_MS}. */
  get scrolling(): boolean {
    return this.clock.now() - this.lastScrollAt < SCROLL_QUIET_MS;
  }

  private wake(): void {
    if (this.pending.size === 0) return;
    // While scrolling, every piece waits for a frame's slot; the first slot after the scrolling
    // stopped asks for an idle period again.
    const scrolling = this.scrolling;
    if (!this.frameRequested && (scrolling || this.next(true))) {
      this.frameRequested = true;
      this.clock.requestFrame((frameStart) => this.runFrame(frameStart));
    }
    if (!this.idleRequested && !scrolling) {
      this.idleRequested = true;
      this.clock.requestIdle((timeRemaining) => this.runIdle(timeRemaining));
    }
  }

  /** The first piece waiting: the first urgent one when `urgentOnly`, the first that does not draw when `!drawing`. */
  private next(urgentOnly: boolean, drawing = true): FrameWork | undefined {
    for (const work of this.pending) if ((!urgentOnly || work.urgent()) && (drawing || !(work.draws?.() ?? false))) return work;
    return undefined;
  }

  private take(work: FrameWork): void {
    this.pending.delete(work);
    work.run();
  }

  private runFrame(frameStart: number): void {
    this.frameRequested = false;
    const sinceLast = frameStart - this.lastFrameStart;
    if (sinceLast >= MIN_FRAME_MS && sinceLast < this.frameMs) this.frameMs = sinceLast;
    this.lastFrameStart = frameStart;
    const start = this.clock.now();
    const spare = frameStart + this.frameMs - start >= FRAME_SPARE_MS;
    if (this.scrolling) {
      // A chart's creation or draw costs about a frame of its own, its raster included: it
      // waits for the scrolling to pause.
      const work = spare ? (this.next(true, false) ?? this.next(false, false)) : undefined;
      if (work) this.take(work);
    } else if (!spare && !this.skipped && this.next(true)) {
      this.skipped = true;
    } else {
      this.skipped = false;
      // A piece may queue another (a panel's data, then its chart): it runs in this slot too
      // while the budget lasts.
      for (let work = this.next(true); work; work = this.next(true)) {
        const draws = work.draws?.() ?? false;
        this.take(work);
        if (draws || this.clock.now() - start >= this.budgetMs) break;
      }
    }
    this.wake();
  }

  private runIdle(timeRemaining: () => number): void {
    this.idleRequested = false;
    for (let work = this.next(false); work && !this.scrolling; work = this.next(false)) {
      if (timeRemaining() < MIN_IDLE_MS) break;
      const draws = work.draws?.() ?? false;
      this.take(work);
      if (draws) break;
    }
    this.wake();
  }
}
