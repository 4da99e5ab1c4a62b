/**
 * TcpConversation: builds the frames of one TCP connection as a capture point between
 * client and server would see them (RFC 9293 §3.5 handshake, §3.6 close; Linux-like
 * segmentation: data cut at the MSS, PSH on the last segment of a write).
 *
 * Impairments model what goes wrong on real networks and in captures:
 *  - drop: the capture missed the segment, the peer got it (its ACK covers the bytes);
 *  - lose: the network lost it (a firewall dropped it): not captured, never acknowledged
 *    unless a retransmission fills the hole;
 *  - swap, duplicate, retransmit (optionally with different bytes), delays.
 * Sequence numbers are 32-bit and wrap (RFC 9293 §3.4), so any ISN can be used.
 */
import type { Time } from '../util/time.js';
import type { Dir } from '../tcp/events.js';
import { TCP_FLAGS } from '../decode/types.js';
import { addMs, addNs, timeFromIso } from './clock.js';
import { parseIp } from './ip.js';
import { linkHeader, linkTypeOf, type LinkSpec } from './link.js';
import { buildSegmentFrame, mssOption } from './tcp-segment.js';

/** One synthesized frame, shaped like capture/types.ts Packet minus numbering. */
export interface SynthFrame {
  readonly time: Time;
  readonly linkType: number;
  /** OWNED buffer (the synthesizer does not reuse it). */
  readonly data: Buffer;
  readonly origLength: number;
}

export interface Endpoint {
  readonly ip: string;
  readonly port: number;
  /** Initial sequence number; any 32-bit value (wraparound tests). */
  readonly isn?: number;
}

export interface ConversationOptions {
  readonly client: Endpoint;
  readonly server: Endpoint;
  /** Default: plain Ethernet. */
  readonly link?: LinkSpec;
  /** Time of the first frame. Default 2024-01-15T10:00:00Z. */
  readonly start?: Time;
  /** Default MSS for send(); also announced in SYN and SYN/ACK. Default 1460. */
  readonly mss?: number;
  readonly window?: number;
  /** false: the capture starts mid-stream (no SYN, no handshake frames). Default true. */
  readonly handshake?: boolean;
  /** Compute TCP checksums (default true). false leaves them zero like checksum offload. */
  readonly checksum?: boolean;
  /** Time between consecutive segments of one write. Default 10 µs. */
  readonly segmentGapUs?: number;
  /** Time before the peer's ACK (half an RTT). Default 40 µs. */
  readonly ackDelayUs?: number;
  /** Cut captured frames to this many bytes (origLength keeps the wire length). */
  readonly snapLength?: number;
}

export interface Retransmit {
  /** Index of the segment (within this send) to send again. */
  readonly segment: number;
  /** Different bytes at the same sequence number (Wireshark: retransmission with other data). */
  readonly bytes?: Buffer | string;
  /** Delay before the retransmission (RTO). Default 200 ms. */
  readonly afterMs?: number;
}

export interface SendOptions {
  /** Segment size for this write; default the conversation's MSS. */
  readonly mss?: number;
  /** Absolute time of the first segment (not before the conversation's clock). */
  readonly at?: Time;
  /** Or: wait this long before the first segment. */
  readonly afterMs?: number;
  /** Segment indices the capture missed (the peer received and acknowledges them). */
  readonly drop?: readonly number[];
  /** Segment indices lost in the network: not captured and not acknowledged. */
  readonly lose?: readonly number[];
  /** Pairs of segment indices whose emission order is swapped. */
  readonly swap?: readonly (readonly [number, number])[];
  /** Segment indices sent twice (the copy right after the burst, same bytes). */
  readonly duplicate?: readonly number[];
  readonly retransmit?: readonly Retransmit[];
  /** Peer ACKs: one after the burst (default), one per segment, or none. */
  readonly ack?: 'last' | 'each' | 'none';
}

interface Side {
  readonly ip: Buffer;
  readonly port: number;
  readonly isn: number;
  readonly link: Buffer;
  ipId: number;
  /** Next stream offset this side sends (bytes + SYN/FIN are not counted; FIN adds 1). */
  sendOffset: number;
  /** What this side has received contiguously from the peer (stream offset). */
  rcvNext: number;
  /** Out-of-order ranges received from the peer, [start, end) offsets. */
  ooo: Array<[number, number]>;
  /** Sequence number space: false until SYN seen / handshake skipped. */
  synced: boolean;
}

interface Planned {
  readonly index: number;
  readonly offset: number;
  readonly payload: Buffer;
}

const DEFAULT_START: Time = timeFromIso('2024-01-15T10:00:00Z');
const { FIN, SYN, RST, PSH, ACK } = TCP_FLAGS;

export class TcpConversation {
  readonly linkType: number;
  private readonly sides: Record<Dir, Side>;
  private readonly out: SynthFrame[] = [];
  private now: Time;
  private readonly mss: number;
  private readonly window: number;
  private readonly checksum: boolean;
  private readonly segmentGapNs: number;
  private readonly ackDelayNs: number;
  private readonly snapLength: number | undefined;

  constructor(opts: ConversationOptions) {
    const link = opts.link ?? { type: 'ethernet' };
    this.linkType = linkTypeOf(link);
    const cip = parseIp(opts.client.ip);
    const sip = parseIp(opts.server.ip);
    if (cip.length !== sip.length) throw new Error('client and server must use the same IP version');
    const v = cip.length === 4 ? 4 : 6;
    const side = (ip: Buffer, ep: Endpoint, dir: Dir, ipId: number, defIsn: number): Side => ({
      ip, port: ep.port, isn: (ep.isn ?? defIsn) >>> 0, link: linkHeader(link, dir, v), ipId,
      sendOffset: 0, rcvNext: 0, ooo: [], synced: opts.handshake === false,
    });
    this.sides = {
      c2s: side(cip, opts.client, 'c2s', 0x1000, 0x10000000),
      s2c: side(sip, opts.server, 's2c', 0x2000, 0x20000000),
    };
    this.now = opts.start ?? DEFAULT_START;
    this.mss = opts.mss ?? 1460;
    this.window = opts.window ?? 65535;
    this.checksum = opts.checksum ?? true;
    this.segmentGapNs = (opts.segmentGapUs ?? 10) * 1000;
    this.ackDelayNs = (opts.ackDelayUs ?? 40) * 1000;
    this.snapLength = opts.snapLength;
    if (opts.handshake !== false) this.handshake();
  }

  /** The time the next frame would get. */
  get clock(): Time {
    return this.now;
  }

  /** Frames produced so far and not yet drained. */
  get frames(): readonly SynthFrame[] {
    return this.out;
  }

  /** Returns the frames produced since the last drain and forgets them (generators, big benches). */
  drain(): SynthFrame[] {
    return this.out.splice(0, this.out.length);
  }

  /** Stream offset of the next byte `dir` sends (for tests and for computing drops). */
  offset(dir: Dir): number {
    return this.sides[dir].sendOffset;
  }

  /** Sequence number of the next byte `dir` sends. */
  nextSeq(dir: Dir): number {
    const s = this.sides[dir];
    return (s.isn + 1 + s.sendOffset) >>> 0;
  }

  wait(ms: number): this {
    this.now = addMs(this.now, ms);
    return this;
  }

  /** Moves the clock to `t` (must not go back). */
  at(t: Time): this {
    if (t.sec < this.now.sec || (t.sec === this.now.sec && t.nsec < this.now.nsec)) {
      throw new Error('synth: time must not go backwards');
    }
    this.now = t;
    return this;
  }

  /** One application write from `dir`, cut at the MSS, with the peer's ACKs. */
  send(dir: Dir, bytes: Buffer | string, o: SendOptions = {}): this {
    const data = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
    if (o.at) this.at(o.at);
    if (o.afterMs !== undefined) this.wait(o.afterMs);
    const me = this.sides[dir];
    const peerDir: Dir = dir === 'c2s' ? 's2c' : 'c2s';
    const mss = o.mss ?? this.mss;
    if (mss <= 0) throw new Error('synth: mss must be positive');
    const plan: Planned[] = [];
    for (let i = 0, pos = 0; pos < data.length || (data.length === 0 && i === 0); i++, pos += mss) {
      plan.push({ index: i, offset: me.sendOffset + pos, payload: data.subarray(pos, Math.min(pos + mss, data.length)) });
      if (data.length === 0) break;
    }
    me.sendOffset += data.length;
    const order = plan.slice();
    for (const [a, b] of o.swap ?? []) {
      const ia = order.findIndex((p) => p.index === a);
      const ib = order.findIndex((p) => p.index === b);
      if (ia < 0 || ib < 0) throw new Error(`synth: swap of unknown segment ${a}/${b}`);
      [order[ia], order[ib]] = [order[ib]!, order[ia]!];
    }
    const drop = new Set(o.drop ?? []);
    const lose = new Set(o.lose ?? []);
    const last = plan.length - 1;
    const ackMode = o.ack ?? 'last';
    for (const p of order) {
      if (!lose.has(p.index)) this.receive(peerDir, p.offset, p.payload.length);
      if (!drop.has(p.index) && !lose.has(p.index)) {
        this.emit(dir, p.offset, p.index === last ? ACK | PSH : ACK, p.payload);
      }
      if (ackMode === 'each') this.pureAck(peerDir);
      else this.now = addNs(this.now, this.segmentGapNs);
    }
    for (const i of o.duplicate ?? []) {
      const p = plan[i];
      if (!p) throw new Error(`synth: duplicate of unknown segment ${i}`);
      this.emit(dir, p.offset, ACK | PSH, p.payload);
      this.receive(peerDir, p.offset, p.payload.length);
    }
    if (ackMode === 'last') this.pureAck(peerDir);
    for (const r of o.retransmit ?? []) {
      const p = plan[r.segment];
      if (!p) throw new Error(`synth: retransmit of unknown segment ${r.segment}`);
      this.wait(r.afterMs ?? 200);
      const payload = r.bytes === undefined ? p.payload : typeof r.bytes === 'string' ? Buffer.from(r.bytes, 'latin1') : r.bytes;
      this.emit(dir, p.offset, ACK | PSH, payload);
      this.receive(peerDir, p.offset, payload.length);
      if (ackMode !== 'none') this.pureAck(peerDir);
    }
    return this;
  }

  /** FIN from `dir` (FIN|ACK, as stacks send it), then the peer's ACK unless ack === false. */
  fin(dir: Dir, o: { ack?: boolean; afterMs?: number } = {}): this {
    if (o.afterMs !== undefined) this.wait(o.afterMs);
    const me = this.sides[dir];
    const peerDir: Dir = dir === 'c2s' ? 's2c' : 'c2s';
    this.emit(dir, me.sendOffset, FIN | ACK, Buffer.alloc(0));
    this.receive(peerDir, me.sendOffset, 1);
    me.sendOffset += 1;
    if (o.ack !== false) this.pureAck(peerDir);
    else this.now = addNs(this.now, this.segmentGapNs);
    return this;
  }

  /** Orderly close: FIN from `first`, ACK, FIN from the other side, ACK. */
  close(first: Dir = 'c2s'): this {
    const second: Dir = first === 'c2s' ? 's2c' : 'c2s';
    return this.fin(first).fin(second);
  }

  /** RST from `dir` (with ACK, as Linux sends it on an established connection, unless withAck false). */
  rst(dir: Dir, o: { withAck?: boolean; afterMs?: number } = {}): this {
    if (o.afterMs !== undefined) this.wait(o.afterMs);
    const me = this.sides[dir];
    this.emit(dir, me.sendOffset, o.withAck === false ? RST : RST | ACK, Buffer.alloc(0));
    this.now = addNs(this.now, this.segmentGapNs);
    return this;
  }

  /** A pure ACK from `dir` for what it has received. */
  ack(dir: Dir): this {
    return this.pureAck(dir);
  }

  private handshake(): void {
    const c = this.sides.c2s;
    const s = this.sides.s2c;
    const opt = mssOption(this.mss);
    this.push('c2s', c.isn, 0, SYN, Buffer.alloc(0), opt);
    this.now = addNs(this.now, this.ackDelayNs);
    c.synced = true;
    this.push('s2c', s.isn, (c.isn + 1) >>> 0, SYN | ACK, Buffer.alloc(0), opt);
    this.now = addNs(this.now, this.ackDelayNs);
    s.synced = true;
    this.emit('c2s', 0, ACK, Buffer.alloc(0));
    this.now = addNs(this.now, this.segmentGapNs);
  }

  private pureAck(dir: Dir): this {
    this.now = addNs(this.now, this.ackDelayNs);
    this.emit(dir, this.sides[dir].sendOffset, ACK, Buffer.alloc(0));
    this.now = addNs(this.now, this.segmentGapNs);
    return this;
  }

  /** `dir` receives [offset, offset+len) from its peer. */
  private receive(dir: Dir, offset: number, len: number): void {
    const r = this.sides[dir];
    if (offset > r.rcvNext) {
      r.ooo.push([offset, offset + len]);
      return;
    }
    r.rcvNext = Math.max(r.rcvNext, offset + len);
    // Pull in held ranges the new data made contiguous (RFC 9293 §3.10.7.4, segment text).
    r.ooo.sort((a, b) => a[0] - b[0]);
    while (r.ooo.length > 0 && r.ooo[0]![0] <= r.rcvNext) {
      r.rcvNext = Math.max(r.rcvNext, r.ooo.shift()![1]);
    }
  }

  /** A segment from `dir` at stream offset `offset`, acknowledging what `dir` has received. */
  private emit(dir: Dir, offset: number, flags: number, payload: Buffer): void {
    const me = this.sides[dir];
    const peer = this.sides[dir === 'c2s' ? 's2c' : 'c2s'];
    const seq = (me.isn + 1 + offset) >>> 0;
    const ack = (peer.isn + 1 + me.rcvNext) >>> 0;
    this.push(dir, seq, ack, flags, payload);
  }

  private push(dir: Dir, seq: number, ack: number, flags: number, payload: Buffer, options?: Buffer): void {
    const me = this.sides[dir];
    const peer = this.sides[dir === 'c2s' ? 's2c' : 'c2s'];
    const data = buildSegmentFrame(me.link, {
      src: me.ip, dst: peer.ip, srcPort: me.port, dstPort: peer.port, seq, ack, flags,
      window: this.window, payload, ipId: me.ipId++, checksum: this.checksum,
      ...(options ? { options } : {}),
    });
    const snap = this.snapLength;
    this.out.push({
      time: this.now,
      linkType: this.linkType,
      data: snap !== undefined && data.length > snap ? data.subarray(0, snap) : data,
      origLength: data.length,
    });
  }
}

/** Merges frame lists of several conversations by time (stable: equal times keep list order). */
export function mergeFrames(...lists: readonly (readonly SynthFrame[])[]): SynthFrame[] {
  const all = lists.flatMap((l, li) => l.map((f, i) => ({ f, li, i })));
  all.sort((a, b) => a.f.time.sec - b.f.time.sec || a.f.time.nsec - b.f.time.nsec || a.li - b.li || a.i - b.i);
  return all.map((x) => x.f);
}
