/**
 * The flow table: Segments in, StreamEvents out. One flow per TCP connection, numbered
 * exactly like Wireshark 4.0's `tcp.stream` (epan/dissectors/packet-tcp.c, dissect_tcp),
 * checked against tshark 4.0.17 on crafted captures (test/tcp/wireshark-numbering.test.ts):
 *
 * - The first packet of a 4-tuple (either direction) creates a conversation: next index.
 * - Each direction has a base sequence number, set by the first packet of the conversation
 *   that says anything about it: a SYN sets it to its seq, any other packet to seq - 1,
 *   and a packet with ACK sets the reverse direction's (if still unset) to ack - 1.
 * - A SYN without ACK whose direction's base is set and differs from its seq starts a
 *   new conversation ("TCP Port numbers reused"). Nothing else does: not a SYN with the
 *   same seq after FIN or RST, and never a SYN+ACK, whatever its seq.
 *
 * Per flow, each direction is a HalfStream (ordering, overlaps, gaps). Flows close on
 * RST, on FINs from both sides, when idle (capture time), when evicted at maxFlows, and
 * at capture end. A closed flow lingers briefly (late packets such as the last ACK still
 * count towards it), then shrinks to a tombstone that keeps its tcp.stream number and
 * base sequence numbers, so that a late packet keeps Wireshark's numbering.
 */
import { LIMITS } from '../limits.js';
import { TCP_FLAGS, type Segment } from '../decode/types.js';
import type { Time } from '../util/time.js';
import type { CloseReason, Dir, Endpoint, Flow, StreamListener } from './events.js';
import * as key from './flow-key.js';
import { FlowIndex, type FlowKeyRef } from './flow-index.js';
import { HalfStream, newHalfStats } from './half-stream.js';
import { seqAdd, seqDiff } from './seq.js';

/**
 * A closed flow stays a full object this long (capture time) before becoming a
 * tombstone, so the final ACK and retransmitted FINs are counted on it; at most
 * LIMITS.maxLingeringClosedFlows of them at once (the oldest shrinks first).
 */
export const CLOSED_LINGER_SEC = 60;

export type TcpLimits = Pick<
  typeof LIMITS,
  'maxHeldBytesPerDir' | 'maxHeldSegmentsPerDir' | 'maxFlows' | 'idleTimeoutSec' | 'maxTombstones' | 'maxLingeringClosedFlows'
>;

export interface FlowTableOptions {
  /** Ports that identify the server when no SYN or SYN+ACK says who the client is. */
  isServerPort(port: number): boolean;
  limits?: Partial<TcpLimits>;
  /** Overrides CLOSED_LINGER_SEC (tests). */
  closedLingerSec?: number;
}

export interface FlowTableStats {
  /** tcp.stream indexes handed out (= the next index). */
  streams: number;
  /** Flows open now, and closed flows not yet reduced to tombstones. */
  live: number;
  closed: number;
  tombstones: number;
  /** Open flows closed because they were idle longer than idleTimeoutSec. */
  idleClosed: number;
  /** Open flows evicted (closed 'timeout') because the table held maxFlows. */
  evicted: number;
  /** Open flows ended by a SYN that reused their 4-tuple. */
  portReused: number;
  /** Flows reopened (same tcp.stream) by payload after a 'timeout' close. */
  reopened: number;
  /** Packets that arrived for a flow after it closed (final ACKs, retransmitted FINs, ...); not delivered. */
  packetsAfterClose: number;
  /** Tombstones dropped at maxTombstones: a later packet on such a 4-tuple gets a new tcp.stream (Wireshark would not). */
  tombstonesDropped: number;
}

export interface FlowTable {
  /** One decoded segment; its payload is borrowed until this returns. */
  /** Feeds one segment; returns the tcp.stream it belongs to (Wireshark's number). */
  segment(s: Segment): number;
  /** End of capture: every open flow gets gaps for unfilled holes, then close 'capture-end'. */
  end(lastFrame: number, lastTime: Time): void;
  /** Open flows, oldest activity first. */
  flows(): Iterable<Flow>;
  stats(): FlowTableStats;
}

const { SYN, ACK, FIN, RST } = TCP_FLAGS;
const NO_BASE = -1;

/** Closed flow reduced to what numbering needs. */
interface Tomb {
  readonly kind: 'tomb';
  readonly key: FlowKeyRef;
  readonly tcpStream: number;
  /** Wireshark base sequence numbers of sides A and B (NO_BASE when unset). */
  baseA: number;
  baseB: number;
  readonly clientIsA: boolean;
  readonly roleBy: Flow['roleBy'];
  readonly reason: CloseReason;
}

interface FlowState {
  readonly kind: 'flow';
  readonly key: FlowKeyRef;
  readonly flow: Flow;
  readonly clientIsA: boolean;
  baseA: number;
  baseB: number;
  c2s: HalfStream;
  s2c: HalfStream;
  open: boolean;
  /** Capture second the flow closed (for the linger). */
  closedSec: number;
  // Intrusive doubly linked list: the open list in last-seen order, or the closed list.
  prev: FlowState | null;
  next: FlowState | null;
}

type Entry = FlowState | Tomb;

class List {
  head: FlowState | null = null;
  tail: FlowState | null = null;
  size = 0;
  push(s: FlowState): void {
    s.prev = this.tail;
    s.next = null;
    if (this.tail !== null) this.tail.next = s;
    else this.head = s;
    this.tail = s;
    this.size++;
  }
  remove(s: FlowState): void {
    if (s.prev !== null) s.prev.next = s.next;
    else this.head = s.next;
    if (s.next !== null) s.next.prev = s.prev;
    else this.tail = s.prev;
    s.prev = s.next = null;
    this.size--;
  }
  /** Move to the tail (most recently seen); O(1), no hashing. */
  touch(s: FlowState): void {
    if (this.tail === s) return;
    this.remove(s);
    this.push(s);
  }
}

export function createFlowTable(listener: StreamListener, opts: FlowTableOptions): FlowTable {
  const limits: TcpLimits = { ...pickLimits(LIMITS), ...opts.limits };
  const lingerSec = opts.closedLingerSec ?? CLOSED_LINGER_SEC;
  const table = new FlowIndex<Entry>();
  const openList = new List();
  const closedList = new List();
  // Tombstones in creation order (FIFO bound); an entry whose key now maps elsewhere is skipped.
  let tombQueue: Tomb[] = [];
  let tombHead = 0;
  let tombCount = 0;
  let nextStream = 0;
  let nowSec = -Infinity;
  /** A forward time jump waiting for a second packet to confirm it (see advanceClock), or -1. */
  let jumpTo = -1;
  const st: FlowTableStats = {
    streams: 0,
    live: 0,
    closed: 0,
    tombstones: 0,
    idleClosed: 0,
    evicted: 0,
    portReused: 0,
    reopened: 0,
    packetsAfterClose: 0,
    tombstonesDropped: 0,
  };

  function segment(s: Segment): number {
    if (s.time.sec > nowSec) advanceClock(s.time.sec);
    else jumpTo = -1;
    const addr = s.addr;
    if (addr !== undefined) {
      // Decoder segments: the tuple from offsets into the packet, no address views.
      const off = s.addrOffset!;
      if (s.ipVersion === 4) table.locate4(addr, off, addr, off + 4, s.srcPort, s.dstPort);
      else table.locate6(addr, off, addr, off + 16, s.srcPort, s.dstPort);
    } else {
      const src = s.src;
      const dst = s.dst;
      if (src.length === 4 && dst.length === 4) table.locate4(src, 0, dst, 0, s.srcPort, s.dstPort);
      else table.locate6(src, 0, dst, 0, s.srcPort, s.dstPort);
    }
    const srcIsA = table.srcIsA;
    const entry = table.get();
    if (entry === undefined) {
      return startFlow(table.keyRef(), s, srcIsA, nextStream++, null);
    }
    if (startsNewConversation(entry, s, srcIsA)) {
      if (entry.kind === 'flow' && entry.open) {
        st.portReused++;
        closeFlow(entry, 'timeout', 'port-reuse', entry.flow.lastFrame, entry.flow.lastTime);
      } else if (entry.kind === 'flow') {
        closedList.remove(entry);
      }
      return startFlow(entry.key, s, srcIsA, nextStream++, null);
    }
    updateBases(entry, s, srcIsA);
    if (entry.kind === 'tomb') {
      if (entry.reason === 'timeout' && s.payloadLength > 0) {
        // Idle-closed or evicted, and it speaks again: same tcp.stream, delivered mid-stream.
        st.reopened++;
        return startFlow(entry.key, s, srcIsA, entry.tcpStream, entry);
      }
      st.packetsAfterClose++;
      return entry.tcpStream;
    }
    const flow = entry.flow;
    flow.frames++;
    flow.lastFrame = s.frame;
    flow.lastTime = s.time;
    if (!entry.open) {
      // After FIN/RST: counted, not delivered; a retransmitted FIN does not reopen the flow.
      st.packetsAfterClose++;
      return flow.tcpStream;
    }
    openList.touch(entry);
    onSegment(entry, s, srcIsA);
    return flow.tcpStream;
  }

  /** Wireshark's port-reuse test (see the file comment). */
  function startsNewConversation(e: Entry, s: Segment, srcIsA: boolean): boolean {
    if ((s.flags & (SYN | ACK)) !== SYN) return false;
    const base = srcIsA ? e.baseA : e.baseB;
    return base !== NO_BASE && base !== s.seq;
  }

  function updateBases(e: Entry, s: Segment, srcIsA: boolean): void {
    const fwd = (s.flags & SYN) !== 0 ? s.seq : seqAdd(s.seq, 4294967295);
    const rev = (s.flags & ACK) !== 0 ? seqAdd(s.ack, 4294967295) : NO_BASE;
    if (srcIsA) {
      if (e.baseA === NO_BASE) e.baseA = fwd;
      if (e.baseB === NO_BASE) e.baseB = rev;
    } else {
      if (e.baseB === NO_BASE) e.baseB = fwd;
      if (e.baseA === NO_BASE) e.baseA = rev;
    }
  }

  function startFlow(k: FlowKeyRef, s: Segment, srcIsA: boolean, tcpStream: number, from: Tomb | null): number {
    if (openList.size + closedList.size >= limits.maxFlows) makeRoom();
    const f = s.flags;
    let srcIsClient: boolean;
    let roleBy: Flow['roleBy'];
    if (from !== null) {
      srcIsClient = from.clientIsA === srcIsA;
      roleBy = from.roleBy;
    } else if ((f & (SYN | ACK)) === SYN) {
      srcIsClient = true;
      roleBy = 'syn';
    } else if ((f & (SYN | ACK)) === (SYN | ACK)) {
      srcIsClient = false;
      roleBy = 'syn-ack';
    } else {
      // Mid-stream: the side talking to a server port is the client; else the lower port is the server.
      roleBy = 'port';
      const dstServer = opts.isServerPort(s.dstPort);
      const srcServer = opts.isServerPort(s.srcPort);
      srcIsClient = dstServer !== srcServer ? dstServer : s.dstPort <= s.srcPort;
    }
    const src: Endpoint = { ip: key.formatIp(s.src), port: s.srcPort };
    const dst: Endpoint = { ip: key.formatIp(s.dst), port: s.dstPort };
    const flow: Flow = {
      tcpStream,
      client: srcIsClient ? src : dst,
      server: srcIsClient ? dst : src,
      roleBy,
      sawSyn: false,
      sawSynAck: false,
      firstFrame: s.frame,
      lastFrame: s.frame,
      firstTime: s.time,
      lastTime: s.time,
      frames: 1,
      stats: { c2s: newHalfStats(), s2c: newHalfStats() },
      closeReason: null,
    };
    const state: FlowState = {
      kind: 'flow',
      key: k,
      flow,
      clientIsA: srcIsClient === srcIsA,
      baseA: from === null ? NO_BASE : from.baseA,
      baseB: from === null ? NO_BASE : from.baseB,
      c2s: new HalfStream(flow, 'c2s', listener, limits, flow.stats.c2s),
      s2c: new HalfStream(flow, 's2c', listener, limits, flow.stats.s2c),
      open: true,
      closedSec: 0,
      prev: null,
      next: null,
    };
    updateBases(state, s, srcIsA);
    table.set(k, state);
    openList.push(state);
    st.streams = nextStream;
    listener({ type: 'open', flow, frame: s.frame, time: s.time });
    onSegment(state, s, srcIsA);
    return tcpStream;
  }

  /** Table full: drop the oldest closed flow to a tombstone, else evict the least recently seen open flow. */
  function makeRoom(): void {
    const closed = closedList.head;
    if (closed !== null) {
      entomb(closed, closedList);
      return;
    }
    const victim = openList.head;
    if (victim === null) return;
    st.evicted++;
    closeFlow(victim, 'timeout', 'evicted', victim.flow.lastFrame, victim.flow.lastTime);
  }

  function onSegment(e: FlowState, s: Segment, srcIsA: boolean): void {
    const dir: Dir = srcIsA === e.clientIsA ? 'c2s' : 's2c';
    const hs = dir === 'c2s' ? e.c2s : e.s2c;
    const peer = dir === 'c2s' ? e.s2c : e.c2s;
    const flow = e.flow;
    const f = s.flags;
    const stats = hs.stats;
    stats.segments++;
    if (s.payloadLength > 0) stats.dataSegments++;
    if ((f & SYN) !== 0) {
      if (stats.synFrame === null) stats.synFrame = s.frame;
      if ((f & ACK) === 0) {
        if (dir === 'c2s') flow.sawSyn = true;
      } else if (dir === 's2c') flow.sawSynAck = true;
    }
    if ((f & FIN) !== 0 && stats.finFrame === null) stats.finFrame = s.frame;
    if ((f & RST) !== 0 && stats.rstFrame === null) stats.rstFrame = s.frame;
    // Wireshark's tcp.analysis.zero_window excludes SYN, FIN and RST segments.
    if (s.window === 0 && (f & (SYN | FIN | RST)) === 0) stats.zeroWindow++;

    if (!hs.started) {
      if ((f & SYN) !== 0) hs.startAt(seqAdd(s.seq, 1), true, s.frame, s.time);
      else hs.startAt(s.seq, false, s.frame, s.time);
    }
    // Handshake seen but the peer's SYN (or SYN+ACK) missing: the ACK number says exactly
    // where the peer's bytes begin, so its first segment missing becomes a gap.
    if ((f & ACK) !== 0 && !peer.started && (flow.sawSyn || flow.sawSynAck)) {
      peer.startAt(s.ack, true, s.frame, s.time);
    }
    if ((f & RST) !== 0) {
      // RFC 9293 §3.10.7: RST payload is diagnostic text (RFC 1122 §4.2.2.12), not stream data.
      closeFlow(e, 'rst', undefined, s.frame, s.time);
      return;
    }
    const dataSeq = (f & SYN) !== 0 ? seqAdd(s.seq, 1) : s.seq;
    if (
      (f & (SYN | FIN)) === 0 &&
      s.payloadLength <= 1 &&
      seqDiff(s.seq, hs.nextSeq) === -1
    ) {
      // Keep-alive (RFC 9293 §3.8.4): seq = next - 1 with zero or one garbage byte.
      stats.keepAlives++;
    } else if (s.payloadLength > 0) {
      const pb = s.payloadBuf;
      if (pb !== undefined) hs.data(dataSeq, pb, s.payloadStart!, s.payloadEnd!, s.payloadLength, s.frame, s.time);
      else hs.data(dataSeq, s.payload, 0, s.payload.length, s.payloadLength, s.frame, s.time);
    }
    if ((f & FIN) !== 0) hs.fin(seqAdd(dataSeq, s.payloadLength));
    if ((f & ACK) !== 0) peer.acked(s.ack);
    if ((f & ACK) !== 0 && peer.finOffset >= 0 && !peer.finAcked && seqDiff(s.ack, seqAdd(peer.finSeq, 1)) >= 0) {
      peer.finAcked = true;
    }
    if (e.c2s.finished && e.s2c.finished) closeFlow(e, 'fin', undefined, s.frame, s.time);
  }

  function closeFlow(
    e: FlowState,
    reason: CloseReason,
    cause: 'idle' | 'evicted' | 'port-reuse' | undefined,
    frame: number,
    time: Time,
  ): void {
    e.c2s.flush(frame, time);
    e.s2c.flush(frame, time);
    e.open = false;
    e.flow.closeReason = reason;
    openList.remove(e);
    listener(
      cause === undefined
        ? { type: 'close', flow: e.flow, reason, frame, time }
        : { type: 'close', flow: e.flow, reason, cause, frame, time },
    );
    if (reason === 'timeout') {
      // Idle or evicted: nothing more is expected, keep only the tombstone.
      if (cause !== 'port-reuse') entomb(e, null);
    } else {
      e.closedSec = nowSec;
      closedList.push(e);
      // Linger bounded by count as well as by time (LIMITS.maxLingeringClosedFlows):
      // memory stays flat however many flows a minute of capture closes.
      if (closedList.size > limits.maxLingeringClosedFlows) entomb(closedList.head!, closedList);
    }
  }

  function entomb(e: FlowState, list: List | null): void {
    if (list !== null) list.remove(e);
    const t: Tomb = {
      kind: 'tomb',
      key: e.key,
      tcpStream: e.flow.tcpStream,
      baseA: e.baseA,
      baseB: e.baseB,
      clientIsA: e.clientIsA,
      roleBy: e.flow.roleBy,
      reason: e.flow.closeReason ?? 'timeout',
    };
    table.set(e.key, t);
    tombQueue.push(t);
    tombCount++;
    while (tombCount > limits.maxTombstones && tombHead < tombQueue.length) {
      const old = tombQueue[tombHead++]!;
      if (table.getKey(old.key) === old) {
        table.delete(old.key);
        st.tombstonesDropped++;
      }
      tombCount--;
    }
    if (tombHead > 1024 && tombHead * 2 > tombQueue.length) {
      tombQueue = tombQueue.slice(tombHead);
      tombHead = 0;
    }
  }

  /**
   * Idle checks run when capture time passes a second boundary, from the list heads
   * only: O(expired flows), never a walk over the whole table per packet.
   * A jump forward by more than the idle timeout is believed only when the next packet
   * confirms it: real captures carry the odd corrupt timestamp (wireshark-notes
   * smtp-ssl.pcapng frame 2 says 2063), and one such packet must not close every flow.
   */
  function advanceClock(sec: number): void {
    if (nowSec !== -Infinity && sec - nowSec > limits.idleTimeoutSec) {
      if (jumpTo < 0) {
        jumpTo = sec;
        return;
      }
      if (sec < jumpTo - limits.idleTimeoutSec) return;
    }
    jumpTo = -1;
    nowSec = sec;
    sweep();
  }

  function sweep(): void {
    const idle = limits.idleTimeoutSec;
    for (let h = openList.head; h !== null && nowSec - h.flow.lastTime.sec > idle; h = openList.head) {
      st.idleClosed++;
      closeFlow(h, 'timeout', 'idle', h.flow.lastFrame, h.flow.lastTime);
    }
    for (let h = closedList.head; h !== null && nowSec - h.closedSec > lingerSec; h = closedList.head) {
      entomb(h, closedList);
    }
  }

  function end(lastFrame: number, lastTime: Time): void {
    const open: FlowState[] = [];
    for (let h = openList.head; h !== null; h = h.next) open.push(h);
    open.sort((a, b) => a.flow.tcpStream - b.flow.tcpStream);
    for (const e of open) closeFlow(e, 'capture-end', undefined, lastFrame, lastTime);
  }

  function* flows(): Iterable<Flow> {
    for (let h = openList.head; h !== null; h = h.next) yield h.flow;
  }

  function stats(): FlowTableStats {
    let tombs = 0;
    for (let i = tombHead; i < tombQueue.length; i++) if (table.getKey(tombQueue[i]!.key) === tombQueue[i]) tombs++;
    return { ...st, live: openList.size, closed: closedList.size, tombstones: tombs };
  }

  return { segment, end, flows, stats };
}

function pickLimits(l: typeof LIMITS): TcpLimits {
  return {
    maxHeldBytesPerDir: l.maxHeldBytesPerDir,
    maxHeldSegmentsPerDir: l.maxHeldSegmentsPerDir,
    maxFlows: l.maxFlows,
    idleTimeoutSec: l.idleTimeoutSec,
    maxTombstones: l.maxTombstones,
    maxLingeringClosedFlows: l.maxLingeringClosedFlows,
  };
}
