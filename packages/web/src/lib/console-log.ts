/**
 * Reading a run's console log (`output.log`, written by the SDK): one line per printed line,
 * stderr lines prefixed with `ERROR `, ANSI escape codes as the program wrote them. For display
 * the codes are stripped, the prefix becomes a flag, and only a window of lines is kept.
 */

/** The file the SDK records console output in, under the run's files. */
export const CONSOLE_FILE = 'output.log';
/** The marker the SDK puts before a line the program wrote to stderr. */
export const STDERR_PREFIX = 'ERROR ';

export interface ConsoleLine {
  /** 1-based line number in the file. */
  number: number;
  /** The text without the stderr marker and without ANSI escape codes. */
  text: string;
  stderr: boolean;
}

export interface ConsoleView {
  /** The lines to show, in file order. */
  lines: ConsoleLine[];
  /** Lines in the file. */
  total: number;
  /** Lines that match the filter (all of them without one). */
  matched: number;
}

// CSI (colours, cursor moves), OSC (titles, links; ended by BEL or ST), other two-byte escapes,
// and the remaining C0/C1 control characters except the tab.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]|[\x00-\x08\x0b-\x1f\x7f\x9b]/g;

/**
 * Text without ANSI escape codes and control characters, as a terminal would show it in plain.
 *
 * @example
 * stripAnsi('\x1b[31mred\x1b[0m and plain'); // → 'red and plain'
 */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/**
 * The lines of `text` to show: with `filter` (case-insensitive, ANSI-free text), the last
 * `limit` matching lines; without, the last `limit` lines. A final newline ends the last line
 * rather than starting an empty one.
 *
 * @example
 * consoleView('a\nERROR b\nc\n', { limit: 2 });
 * // → { lines: [{ number: 2, text: 'b', stderr: true }, { number: 3, text: 'c', stderr: false }], total: 3, matched: 3 }
 */
export function consoleView(text: string, options: { limit: number; filter?: string }): ConsoleView {
  const ends = lineEnds(text);
  const total = ends.length;
  const needle = options.filter?.trim().toLowerCase() ?? '';
  const lines: ConsoleLine[] = [];
  let matched = 0;
  // From the end, so the tail costs only what it shows (a filter has to look at every line).
  for (let i = total - 1; i >= 0; i--) {
    if (needle === '' && lines.length >= options.limit) break;
    const line = readLine(text, i === 0 ? 0 : ends[i - 1]! + 1, ends[i]!, i + 1);
    if (needle !== '' && !line.text.toLowerCase().includes(needle)) continue;
    matched++;
    if (lines.length < options.limit) lines.push(line);
  }
  lines.reverse();
  return { lines, total, matched: needle === '' ? total : matched };
}

/** The index just past each line (its newline, or the end of a last line without one). */
function lineEnds(text: string): number[] {
  const ends: number[] = [];
  let at = text.indexOf('\n');
  let start = 0;
  while (at !== -1) {
    ends.push(at);
    start = at + 1;
    at = text.indexOf('\n', start);
  }
  if (start < text.length) ends.push(text.length);
  return ends;
}

function readLine(text: string, start: number, end: number, number: number): ConsoleLine {
  let raw = text.slice(start, end);
  if (raw.endsWith('\r')) raw = raw.slice(0, -1);
  const stderr = raw.startsWith(STDERR_PREFIX);
  return { number, text: stripAnsi(stderr ? raw.slice(STDERR_PREFIX.length) : raw), stderr };
}
