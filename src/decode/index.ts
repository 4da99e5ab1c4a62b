import type { Packet } from '../capture/types.js';
import type { Time } from '../util/time.js';
import type { DecodeAnomalyKind } from './anomalies.js';
import { DEFAULT_FRAGMENT_LIMITS, FragmentTable, ipv4FragmentKey, ipv6FragmentKey, type FragmentLimits } from './ip-fragments.js';
import { IP, IPPROTO_TCP, newIpResult, type IpResult } from './ip-result.js';
import { parseIpv4 } from './ipv4.js';
import { mayLeadToTcp, parseIpv6, walkIpv6Extensions } from './ipv6.js';
import { linkDecoder } from './link-types.js';
import { NET, newLinkResult, type LinkDecoder } from './link-result.js';
import { createStats, type DecodeStats } from './stats.js';
import { newTcpHeader, parseTcpHeader } from './tcp-header.js';
import type { DecodeSink, Segment } from './types.js';
import { rangeView } from '../util/range.js';

export type { DecodeStats } from './stats.js';
export type { DecodeAnomalyKind } from './anomalies.js';
export { DECODE_ANOMALY_KINDS } from './anomalies.js';
export { LINK_TYPES, SUPPORTED_LINK_TYPES } from './link-types.js';
export type { FragmentLimits } from './ip-fragments.js';

export interface DecoderOptions {
  /** Fragment reassembly bounds; defaults from LIMITS. */
  fragments?: Partial<FragmentLimits>;
}

export interface Decoder {
  /** Decodes one packet; calls sink.segment at most once. `p.data` is borrowed. */
  packet(p: Packet): void;
  /** End of input: incomplete fragment trains are reported and dropped. */
  flush(): void;
  stats(): DecodeStats;
}

const EMPTY = Buffer.alloc(0);

/**
 * The Segment createDecoder hands out: one object per decoder, refilled for every
 * segment (a Segment is BORROWED whole, decode/types.ts). The address views src/dst
 * are built only when asked for (once per flow, by the flow table): a Buffer view
 * costs about as much as the rest of the decoding of a packet, and the flow table
 * keys flows from addr/addrOffset instead.
 */
class DecodedSegment implements Segment {
  frame = 0;
  time: Time = { sec: 0, nsec: 0 };
  ipVersion: 4 | 6 = 4;
  addr: Buffer = EMPTY;
  addrOffset = 0;
  srcPort = 0;
  dstPort = 0;
  seq = 0;
  ack = 0;
  flags = 0;
  window = 0;
  payloadBuf: Buffer = EMPTY;
  payloadStart = 0;
  payloadEnd = 0;
  payloadLength = 0;

  /** Built on demand: the flow table reads payloadBuf/payloadStart/payloadEnd. */
  get payload(): Buffer {
    return this.payloadStart < this.payloadEnd ? rangeView(this.payloadBuf, this.payloadStart, this.payloadEnd) : EMPTY;
  }

  get src(): Buffer {
    const n = this.ipVersion === 4 ? 4 : 16;
    return this.addr.subarray(this.addrOffset, this.addrOffset + n);
  }

  get dst(): Buffer {
    const n = this.ipVersion === 4 ? 4 : 16;
    return this.addr.subarray(this.addrOffset + n, this.addrOffset + 2 * n);
  }
}

const enum Outcome {
  Tcp,
  NonTcp,
  NonIp,
  Truncated,
  Malformed,
  FragmentHeld,
}

/**
 * Packet → Segment: link layer (link-types.ts), IPv4/IPv6 (with fragment
 * reassembly), TCP header. Works on offsets into the packet buffer; the only
 * copies are fragment pieces waiting for their train.
 */
export function createDecoder(sink: DecodeSink, opts: DecoderOptions = {}): Decoder {
  const stats = createStats();
  const link = newLinkResult();
  const ip = newIpResult();
  const tcp = newTcpHeader();
  const out = new DecodedSegment();
  // The link decoder of the last packet's link type: one Map lookup per link type change, not per packet.
  let lastLinkType = -1;
  let lastLink: LinkDecoder | undefined;
  const reportedLinkTypes = new Set<number>();

  const anomaly = (kind: DecodeAnomalyKind, frame: number, detail: string): void => {
    stats.anomalies++;
    sink.anomaly?.({ frame, kind, detail });
  };
  const fragments = new FragmentTable(anomaly, { ...DEFAULT_FRAGMENT_LIMITS, ...opts.fragments });

  /** TCP header at l4 in `buf` (the packet, or a reassembled datagram) → segment. */
  function emitTcp(p: Packet, addrBuf: Buffer, srcOff: number, version: 4 | 6, buf: Buffer, l4: number, capEnd: number, claimedEnd: number): Outcome {
    parseTcpHeader(buf, l4, capEnd, claimedEnd, tcp);
    if (tcp.anomaly !== null) anomaly(tcp.anomaly, p.frame, tcp.detail);
    if (!tcp.ok) return tcp.anomaly === 'tcp-truncated-header' ? Outcome.Truncated : Outcome.Malformed;
    // When options were cut the payload start lies beyond the captured bytes: empty payload, all of it a gap.
    const payloadStart = tcp.payloadStart < capEnd ? tcp.payloadStart : capEnd;
    const seg = out;
    seg.frame = p.frame;
    seg.time = p.time;
    seg.ipVersion = version;
    seg.addr = addrBuf;
    seg.addrOffset = srcOff;
    seg.srcPort = tcp.srcPort;
    seg.dstPort = tcp.dstPort;
    seg.seq = tcp.seq;
    seg.ack = tcp.ack;
    seg.flags = tcp.flags;
    seg.window = tcp.window;
    seg.payloadBuf = buf;
    seg.payloadStart = payloadStart;
    seg.payloadEnd = capEnd;
    seg.payloadLength = claimedEnd - tcp.payloadStart;
    sink.segment(seg);
    return Outcome.Tcp;
  }

  function fragment(p: Packet, buf: Buffer, r: IpResult): Outcome {
    const wanted = r.version === 4 ? r.proto === IPPROTO_TCP : mayLeadToTcp(r.proto);
    if (!wanted) return Outcome.NonTcp;
    if (r.capEnd < r.claimedEnd) {
      // Wireshark, too, reassembles only fragments whose bytes were all captured.
      anomaly('ip-fragment-truncated', p.frame, `fragment at offset ${r.fragOffset} cut by the capture`);
      return Outcome.Truncated;
    }
    const data = buf.subarray(r.l4Start, r.capEnd);
    const key = r.version === 4 ? ipv4FragmentKey(buf, r.srcOff, r.proto, r.fragId) : ipv6FragmentKey(buf, r.srcOff, r.fragId);
    const done = fragments.add(key, r.fragOffset, data, r.more, r.proto, p.frame, p.time);
    if (done === null) return Outcome.FragmentHeld;
    stats.reassembled++;
    const dg = done.data;
    if (r.version === 4) return emitTcp(p, buf, r.srcOff, 4, dg, 0, dg.length, dg.length);
    // IPv6: continue the header chain inside the reassembled fragmentable part,
    // starting with the next header of the offset-0 fragment (RFC 8200 §4.5).
    const srcOff = r.srcOff;
    r.capEnd = dg.length;
    r.claimedEnd = dg.length;
    walkIpv6Extensions(dg, 0, done.meta, r, false);
    return network(p, dg, r, buf, srcOff);
  }

  /** Acts on a parsed IP header; `addrBuf`/`srcOff` locate the addresses. */
  function network(p: Packet, buf: Buffer, r: IpResult, addrBuf: Buffer, srcOff: number): Outcome {
    switch (r.status) {
      case IP.TCP:
        return emitTcp(p, addrBuf, srcOff, r.version, buf, r.l4Start, r.capEnd, r.claimedEnd);
      case IP.NON_TCP:
        return Outcome.NonTcp;
      case IP.FRAGMENT:
        return fragment(p, buf, r);
      case IP.TRUNCATED:
        anomaly(r.anomaly!, p.frame, r.detail);
        return Outcome.Truncated;
      case IP.MALFORMED:
        anomaly(r.anomaly!, p.frame, r.detail);
        return Outcome.Malformed;
    }
  }

  function decode(p: Packet): Outcome | null {
    if (p.linkType !== lastLinkType) {
      lastLinkType = p.linkType;
      lastLink = linkDecoder(p.linkType);
    }
    const decodeLink = lastLink;
    if (decodeLink === undefined) {
      stats.unsupportedLink++;
      if (!reportedLinkTypes.has(p.linkType)) {
        reportedLinkTypes.add(p.linkType);
        stats.unsupportedLinkTypes.push(p.linkType);
        anomaly('unsupported-link-type', p.frame, `link type ${p.linkType} has no decoder`);
      }
      return null;
    }
    // Offsets into the reader's chunk when it gives them (no view per packet), else into data.
    const chunk = p.chunk;
    const buf = chunk ?? p.data;
    const start = chunk === undefined ? 0 : p.dataStart!;
    const end = chunk === undefined ? buf.length : p.dataEnd!;
    decodeLink(buf, start, end, link);
    let net: number = link.net;
    if (net === NET.TRUNCATED) {
      anomaly('link-truncated', p.frame, `link type ${p.linkType}: ${end - start}-byte frame ends inside the link header`);
      return Outcome.Truncated;
    }
    if (net === NET.OTHER) return Outcome.NonIp;
    if (net === NET.IP_ANY) {
      if (link.offset >= link.end) {
        anomaly('ip-truncated-header', p.frame, 'no IP header captured');
        return Outcome.Truncated;
      }
      const version = buf[link.offset]! >> 4;
      net = version === 6 ? NET.IPV6 : NET.IPV4; // anything else fails IPv4's version check
    }
    if (net === NET.IPV4) parseIpv4(buf, link.offset, link.end, ip);
    else parseIpv6(buf, link.offset, link.end, ip);
    return network(p, buf, ip, buf, ip.srcOff);
  }

  function expire(now: Time): void {
    const before = fragments.dropped;
    fragments.expire(now);
    stats.fragmentTrainsDropped += fragments.dropped - before;
  }

  return {
    packet(p: Packet): void {
      stats.packets++;
      if (fragments.size > 0) expire(p.time);
      const before = fragments.dropped;
      const outcome = decode(p);
      stats.fragmentTrainsDropped += fragments.dropped - before;
      switch (outcome) {
        case null:
          return;
        case Outcome.Tcp:
          stats.tcp++;
          return;
        case Outcome.NonTcp:
          stats.nonTcp++;
          return;
        case Outcome.NonIp:
          stats.nonIp++;
          return;
        case Outcome.Truncated:
          stats.truncated++;
          return;
        case Outcome.Malformed:
          stats.malformed++;
          return;
        case Outcome.FragmentHeld:
          stats.fragmentHeld++;
          return;
      }
    },
    flush(): void {
      const before = fragments.dropped;
      fragments.flush();
      stats.fragmentTrainsDropped += fragments.dropped - before;
    },
    stats(): DecodeStats {
      return { ...stats, unsupportedLinkTypes: [...stats.unsupportedLinkTypes] };
    },
  };
}
