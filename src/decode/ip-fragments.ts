import { LIMITS } from '../limits.js';
import type { Time } from '../util/time.js';
import type { DecodeAnomalyKind } from './anomalies.js';

/**
 * IP fragment reassembly, for IPv4 (RFC 791 §3.2) and IPv6 (RFC 8200 §4.5):
 * one table design, keyed by the caller (ipv4FragmentKey / ipv6FragmentKey).
 *
 * Follows Wireshark's reassemble.c so that the reassembled datagram is the one
 * tshark shows:
 * - the datagram appears at the fragment that completes it (the last to arrive),
 *   with that fragment's frame number and time;
 * - overlaps: pieces are laid down in offset order, ties in arrival order, and a
 *   byte already laid down wins (so the lower offset, then the earlier arrival);
 *   differing overlapping bytes are reported ('ip-fragment-overlap-conflict');
 * - the first last-fragment (MF = 0) fixes the length; a different one later is
 *   reported ('ip-fragment-bad-length') and ignored.
 *
 * Bounds (habit 6): LIMITS.maxFragmentTrains trains (the oldest is dropped,
 * 'ip-fragment-overflow'), LIMITS.maxFragmentBytes per train ('ip-fragment-too-big'),
 * LIMITS.fragmentTimeoutSec of capture time from a train's first fragment
 * ('ip-fragment-timeout'). Wireshark has no timeout; ours only matters when a
 * train never completes.
 *
 * Pieces are copied (the packet buffer is borrowed); the returned datagram is a
 * fresh buffer owned by the caller.
 */

interface Piece {
  readonly offset: number;
  readonly data: Buffer;
}

interface Train {
  readonly pieces: Piece[];
  /** Datagram payload length once the last fragment (MF = 0) was seen, else -1. */
  end: number;
  bytes: number;
  readonly firstFrame: number;
  readonly firstSec: number;
  /** Next header from the offset-0 fragment (IPv6); -1 until seen. */
  meta: number;
}

export type AnomalyReporter = (kind: DecodeAnomalyKind, frame: number, detail: string) => void;

export interface FragmentLimits {
  maxTrains: number;
  maxBytes: number;
  timeoutSec: number;
}

export const DEFAULT_FRAGMENT_LIMITS: FragmentLimits = {
  maxTrains: LIMITS.maxFragmentTrains,
  maxBytes: LIMITS.maxFragmentBytes,
  timeoutSec: LIMITS.fragmentTimeoutSec,
};

export interface Reassembled {
  readonly data: Buffer;
  /** The meta value given with the offset-0 fragment. */
  readonly meta: number;
}

export class FragmentTable {
  /** Map iteration order is insertion order: the head is the oldest train. */
  private readonly trains = new Map<string, Train>();
  /** Trains dropped unassembled (timeout, overflow, too big, flush). */
  dropped = 0;

  constructor(
    private readonly report: AnomalyReporter,
    private readonly limits: FragmentLimits = DEFAULT_FRAGMENT_LIMITS,
  ) {}

  get size(): number {
    return this.trains.size;
  }

  /**
   * Adds one fragment (`data` borrowed, copied here). Returns the reassembled
   * payload when this fragment completes its train, else null.
   */
  add(key: string, offset: number, data: Buffer, more: boolean, meta: number, frame: number, time: Time): Reassembled | null {
    let train = this.trains.get(key);
    if (train === undefined) {
      if (this.trains.size >= this.limits.maxTrains) this.dropOldest(frame);
      train = { pieces: [], end: -1, bytes: 0, firstFrame: frame, firstSec: time.sec, meta: -1 };
      this.trains.set(key, train);
    }
    const pieceEnd = offset + data.length;
    if (pieceEnd > this.limits.maxBytes || train.bytes + data.length > this.limits.maxBytes) {
      this.drop(key, train, 'ip-fragment-too-big', frame, `fragment ends at ${pieceEnd}, train holds ${train.bytes} bytes; limit ${this.limits.maxBytes}`);
      return null;
    }
    if (offset === 0) train.meta = meta;
    if (!more) {
      if (train.end === -1) train.end = pieceEnd;
      else if (train.end !== pieceEnd)
        this.report('ip-fragment-bad-length', frame, `last fragment ends at ${pieceEnd}, an earlier one at ${train.end}`);
    }
    insertSorted(train.pieces, { offset, data: Buffer.from(data) });
    train.bytes += data.length;
    if (train.end === -1 || !covers(train.pieces, train.end)) return null;
    this.trains.delete(key);
    return { data: this.build(train, frame), meta: train.meta };
  }

  /** Drops trains whose first fragment is older than the timeout (capture time). */
  expire(now: Time): void {
    const limit = now.sec - this.limits.timeoutSec;
    for (const [key, train] of this.trains) {
      if (train.firstSec >= limit) break;
      this.drop(key, train, 'ip-fragment-timeout', train.firstFrame, `incomplete after ${this.limits.timeoutSec} s (${describe(train)})`);
    }
  }

  /** End of capture: every train left is incomplete. */
  flush(): void {
    for (const [key, train] of this.trains) this.drop(key, train, 'ip-fragment-incomplete', train.firstFrame, describe(train));
  }

  private dropOldest(frame: number): void {
    for (const [key, train] of this.trains) {
      this.drop(key, train, 'ip-fragment-overflow', frame, `more than ${this.limits.maxTrains} fragment trains; dropped the one begun in frame ${train.firstFrame}`);
      return;
    }
  }

  private drop(key: string, train: Train, kind: DecodeAnomalyKind, frame: number, detail: string): void {
    this.trains.delete(key);
    this.dropped++;
    this.report(kind, frame, detail);
  }

  private build(train: Train, frame: number): Buffer {
    const out = Buffer.allocUnsafe(train.end);
    let pos = 0;
    let conflict = false;
    for (const piece of train.pieces) {
      const pieceEnd = Math.min(piece.offset + piece.data.length, train.end);
      if (piece.offset < pos) {
        const overlapEnd = Math.min(pos, pieceEnd);
        if (!conflict && out.compare(piece.data, 0, overlapEnd - piece.offset, piece.offset, overlapEnd) !== 0) conflict = true;
      }
      if (pieceEnd > pos) {
        piece.data.copy(out, pos, pos - piece.offset, pieceEnd - piece.offset);
        pos = pieceEnd;
      }
    }
    if (conflict) this.report('ip-fragment-overlap-conflict', frame, `overlapping fragments disagree; kept the lower offset, then the earlier arrival`);
    const tooLong = train.pieces.some((p) => p.offset + p.data.length > train.end);
    if (tooLong) this.report('ip-fragment-bad-length', frame, `a fragment runs past the datagram end ${train.end}`);
    return out;
  }
}

/** Keeps pieces sorted by offset; an equal offset goes after the ones already there (arrival order). */
function insertSorted(pieces: Piece[], piece: Piece): void {
  let i = pieces.length;
  while (i > 0 && pieces[i - 1]!.offset > piece.offset) i--;
  pieces.splice(i, 0, piece);
}

function covers(pieces: readonly Piece[], end: number): boolean {
  let covered = 0;
  for (const p of pieces) {
    if (p.offset > covered) return false;
    const e = p.offset + p.data.length;
    if (e > covered) covered = e;
    if (covered >= end) return true;
  }
  return covered >= end;
}

function describe(train: Train): string {
  const ranges = train.pieces.map((p) => `${p.offset}-${p.offset + p.data.length}`).join(',');
  return `fragments ${ranges}, end ${train.end === -1 ? 'unknown (no last fragment)' : train.end}, first frame ${train.firstFrame}`;
}

/** RFC 791 §3.2: fragments belong together by source, destination, protocol and identification. */
export function ipv4FragmentKey(buf: Buffer, srcOff: number, proto: number, id: number): string {
  return `4:${buf.readUInt32BE(srcOff)}:${buf.readUInt32BE(srcOff + 4)}:${proto}:${id}`;
}

/** RFC 8200 §4.5: by source, destination and identification. */
export function ipv6FragmentKey(buf: Buffer, srcOff: number, id: number): string {
  return `6:${buf.toString('hex', srcOff, srcOff + 32)}:${id}`;
}
