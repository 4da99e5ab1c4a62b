/**
 * `live`'s status line on standard error (a terminal only, like the progress bar):
 * packets, kernel drops, SMTP sessions open and closed, findings by severity.
 * Redrawn in place; cleared before a finding line is printed and redrawn after it,
 * so findings scroll above it and never share its line.
 */
import type { ProgressSink } from './progress.js';

export interface LiveCounts {
  packets: number;
  open: number;
  closed: number;
  bySeverity: { notice: number; warning: number; error: number };
  /** Packets the kernel dropped because its ring was full (capture/live.ts LiveStats); null: unknown, shown as n/a. */
  kernelDrops: number | null;
}

/** `CSI K`: erase to the end of the line (ECMA-48 §8.3.41). */
const ERASE = '\r\x1b[K';

export function formatLiveStatus(device: string, c: LiveCounts, elapsedMs: number, columns = 80): string {
  const s = Math.floor(elapsedMs / 1000);
  const clock = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  const drops = c.kernelDrops === null ? 'n/a' : String(c.kernelDrops);
  const b = c.bySeverity;
  // Drops right after the packets: the line is cut to the terminal's width, and whether
  // the capture is losing packets must survive an 80-column terminal.
  return `${device} ${clock}  ${c.packets} pkts  drops ${drops}  SMTP ${c.open} open ${c.closed} closed  findings ${b.error} error ${b.warning} warning ${b.notice} notice`.slice(
    0,
    Math.max(columns - 1, 10),
  );
}

export interface LiveStatus {
  draw(c: LiveCounts): void;
  clear(): void;
}

export function createLiveStatus(device: string, sink: ProgressSink, now: () => number = Date.now): LiveStatus {
  const start = now();
  let shown = false;
  let last: LiveCounts | null = null;
  return {
    draw(c) {
      last = c;
      shown = true;
      sink.write(`\r${formatLiveStatus(device, last, now() - start, sink.columns || 80)}\x1b[K`);
    },
    clear() {
      if (shown) sink.write(ERASE);
      shown = false;
    },
  };
}
