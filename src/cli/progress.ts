/**
 * The reading progress bar on standard error: bytes read, percent of the inputs'
 * total size (standard input: bytes and rate only, its size is unknown) and rate.
 * Shown only when standard error is a terminal and CI is not set, so pipes, log
 * files and CI logs never see carriage returns; redrawn at most every 100 ms (a
 * 1 GB/s read calls back ~250 times a second) and erased when reading ends, so the
 * report and any message that follows start on a clean line.
 */
import { statSync } from 'node:fs';

/** What the bar writes to (process.stderr; tests pass a recorder). */
export interface ProgressSink {
  write(text: string): unknown;
  /** Terminal width; 0 or unset (a pty without a size, as under script(1)) means 80. */
  columns?: number | undefined;
}

export interface ProgressOptions {
  /** Total bytes to read, or null when unknown (standard input). */
  total: number | null;
  sink: ProgressSink;
  /** Milliseconds clock (tests). */
  now?: () => number;
  /** Least time between two redraws. */
  intervalMs?: number;
}

export interface Progress {
  /** Bytes read so far (summed over all inputs). */
  update(bytesRead: number): void;
  /** Erases the bar (idempotent). */
  done(): void;
}

/** `CSI K`: erase to the end of the line (ECMA-48 §8.3.41), after a carriage return. */
const ERASE = '\r\x1b[K';
const REDRAW_MS = 100;

/** Decimal units, as rates are usually quoted (MB/s = 10^6 bytes per second). */
export function humanBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

/** One frame of the bar, fitted to `columns`. */
export function formatProgress(bytesRead: number, total: number | null, elapsedMs: number, columns = 80): string {
  const rate = elapsedMs > 0 ? `${((bytesRead / elapsedMs) * 1000 / 1e6).toFixed(1)} MB/s` : '';
  if (total === null || total <= 0) return `reading ${humanBytes(bytesRead)}  ${rate}`.slice(0, Math.max(columns - 1, 10));
  const ratio = Math.min(1, bytesRead / total);
  // Fixed-width fields, so the bar does not jump as the numbers grow.
  const tail = ` ${`${Math.floor(ratio * 100)}%`.padStart(4)}  ${humanBytes(bytesRead).padStart(8)} of ${humanBytes(total)}  ${rate.padStart(12)}`;
  const width = Math.max(10, Math.min(30, columns - 1 - 'reading [] '.length - tail.length));
  const filled = Math.floor(ratio * width);
  return `reading [${'#'.repeat(filled)}${'.'.repeat(width - filled)}]${tail}`.slice(0, Math.max(columns - 1, 10));
}

export function createProgress(opts: ProgressOptions): Progress {
  const now = opts.now ?? Date.now;
  const interval = opts.intervalMs ?? REDRAW_MS;
  const start = now();
  let last = -Infinity;
  let shown = false;
  let ended = false;
  return {
    update(bytesRead) {
      if (ended) return;
      const t = now();
      if (t - last < interval) return;
      last = t;
      shown = true;
      opts.sink.write(`\r${formatProgress(bytesRead, opts.total, t - start, opts.sink.columns || 80)}\x1b[K`);
    },
    done() {
      if (ended) return;
      ended = true;
      if (shown) opts.sink.write(ERASE);
    },
  };
}

/** The bar is for a person watching a terminal: never into a pipe or a CI log. */
export function progressWanted(stream: { isTTY?: boolean } = process.stderr, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && (env.CI === undefined || env.CI === '');
}

/** Sum of the input files' sizes; null when standard input is among them (size unknown). */
export function inputsSize(inputs: readonly string[]): number | null {
  let total = 0;
  for (const i of inputs) {
    if (i === '-') return null;
    try {
      total += statSync(i).size;
    } catch {
      // The reader reports an unreadable input with its own message.
    }
  }
  return total;
}

/**
 * Runs `work` with a progress callback when a bar is wanted, and erases the bar
 * however `work` ends (an error message must not land after a half-drawn bar).
 */
export async function withProgress<T>(
  inputs: readonly string[],
  work: (onProgress: ((bytesRead: number) => void) | undefined) => Promise<T>,
): Promise<T> {
  if (!progressWanted()) return work(undefined);
  const bar = createProgress({ total: inputsSize(inputs), sink: process.stderr });
  try {
    return await work((n) => bar.update(n));
  } finally {
    bar.done();
  }
}
