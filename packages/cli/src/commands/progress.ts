/** The one-line progress bar of `cairn sync` on a terminal. */
import type { Output } from './common.js';

const BAR_WIDTH = 24;
const REDRAW_MS = 100;

/** Redraws one line in place (at most every 100 ms); `clear` removes it before a normal line is written. */
export class ProgressLine {
  private lastDraw = 0;
  private drawn = false;

  constructor(private readonly out: Output) {}

  update(label: string, done: number, total: number, force = false): void {
    const now = Date.now();
    if (!force && now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(fraction * BAR_WIDTH);
    const bar = '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
    const figures = `${String(Math.floor(fraction * 100)).padStart(3)}% ${formatBytes(done)}/${formatBytes(total)}`;
    const room = (this.out.columns ?? 80) - BAR_WIDTH - figures.length - 4;
    this.out.write(`\r\x1b[K${truncate(label, Math.max(8, room))} ${bar} ${figures}`);
    this.drawn = true;
  }

  clear(): void {
    if (!this.drawn) return;
    this.out.write('\r\x1b[K');
    this.drawn = false;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `…${text.slice(text.length - width + 1)}`;
}
