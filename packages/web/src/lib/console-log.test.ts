import { describe, expect, it } from 'vitest';
import { consoleView, stripAnsi } from './console-log.js';

describe('stripAnsi', () => {
  it('removes colours, cursor moves, titles and links, and control characters but keeps tabs', () => {
    expect(stripAnsi('\x1b[1;31mred\x1b[0m and \x1b[38;5;208morange\x1b[m')).toBe('red and orange');
    expect(stripAnsi('\x1b[2K\x1b[1Aredrawn')).toBe('redrawn');
    expect(stripAnsi('\x1b]0;window title\x07text')).toBe('text');
    expect(stripAnsi('\x1b]8;;https://example.com\x1b\\link\x1b]8;;\x1b\\')).toBe('link');
    expect(stripAnsi('bell\x07 back\x08 tab\there\x1bM')).toBe('bell back tab\there');
    expect(stripAnsi('plain ✓ text')).toBe('plain ✓ text');
  });
});

describe('consoleView', () => {
  const log = ['epoch 1', 'ERROR warning: slow', '\x1b[32mok\x1b[0m', 'ERROR Error: boom', 'done'].join('\n') + '\n';

  it('reads stderr lines by their marker, strips ANSI, and numbers the lines', () => {
    expect(consoleView(log, { limit: 100 })).toEqual({
      total: 5,
      matched: 5,
      lines: [
        { number: 1, text: 'epoch 1', stderr: false },
        { number: 2, text: 'warning: slow', stderr: true },
        { number: 3, text: 'ok', stderr: false },
        { number: 4, text: 'Error: boom', stderr: true },
        { number: 5, text: 'done', stderr: false },
      ],
    });
  });

  it('shows the tail: the last `limit` lines', () => {
    const view = consoleView(log, { limit: 2 });
    expect(view).toMatchObject({ total: 5, matched: 5 });
    expect(view.lines.map((line) => line.number)).toEqual([4, 5]);
  });

  it('filters every line, case-insensitively and on the text shown, keeping the last matches', () => {
    expect(consoleView(log, { limit: 100, filter: ' ERROR' }).lines.map((l) => l.number)).toEqual([4]);
    const view = consoleView(log, { limit: 1, filter: 'O' });
    expect(view).toMatchObject({ total: 5, matched: 5 });
    expect(view.lines.map((l) => l.number)).toEqual([5]);
    expect(consoleView(log, { limit: 10, filter: 'nothing like it' })).toEqual({ lines: [], total: 5, matched: 0 });
  });

  it('counts a last line without a newline, no empty line after a final newline, and \\r\\n endings', () => {
    expect(consoleView('', { limit: 10 })).toEqual({ lines: [], total: 0, matched: 0 });
    expect(consoleView('a\r\nb', { limit: 10 }).lines).toEqual([
      { number: 1, text: 'a', stderr: false },
      { number: 2, text: 'b', stderr: false },
    ]);
    expect(consoleView('\n\n', { limit: 10 }).lines.map((l) => l.text)).toEqual(['', '']);
  });
});
