/**
 * The Exchange XEXCH50 BLOB (KB 818222; not an RFC): `XEXCH50 <n> <k>`, the
 * server answers 354, then exactly n binary octets follow, then the server
 * answers 250. Counted like a BDAT chunk (X-check), never parsed as lines
 * (Zeek, Suricata and tshark do, and mis-read the binary as commands).
 * Records how many octets arrived and whether and when the server answered:
 * the facts behind `xexch50-blob-dropped` (a firewall that drops the BLOB).
 */
import { CountedReader } from './counted.js';
import type { Command } from './events.js';

export class Xexch50Blob {
  readonly reader: CountedReader;
  /** Frame of the last BLOB octet seen. */
  lastFrame: number | null = null;
  answered: number | null = null;
  answerFrame: number | null = null;
  reported = false;

  constructor(
    readonly cmd: Command,
    expected: number,
  ) {
    this.reader = new CountedReader(expected);
  }

  get done(): boolean {
    return this.reader.done;
  }

  /** Consumes BLOB octets from [pos, end); returns the new position. The bytes are not looked at. */
  push(pos: number, end: number, frame: number): number {
    const stop = this.reader.take(pos, end);
    if (stop > pos) this.lastFrame = frame;
    return stop;
  }
}
