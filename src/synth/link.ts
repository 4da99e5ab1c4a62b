/**
 * Link-layer headers for synthesized frames. Values are the LINKTYPE_* numbers of
 * https://www.tcpdump.org/linktypes.html; layouts cite the same registry's pages.
 */
import type { Dir } from '../tcp/events.js';

export const LINKTYPE = { NULL: 0, ETHERNET: 1, RAW: 101, LINUX_SLL: 113, LINUX_SLL2: 276 } as const;

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const TPID_8021Q = 0x8100;
/** IEEE 802.1ad service tag; the outer tag of QinQ. Some gear uses 0x8100 twice (tpidOuter option). */
const TPID_8021AD = 0x88a8;
const ARPHRD_ETHER = 1;
/** linux/if_packet.h: PACKET_HOST (addressed to us) and PACKET_OUTGOING (sent by us). */
const PACKET_HOST = 0;
const PACKET_OUTGOING = 4;

export type LinkSpec =
  | {
      readonly type: 'ethernet';
      /** VLAN ids, outermost first: one id = 802.1Q, two = QinQ (802.1ad outer tag). */
      readonly vlan?: readonly number[];
      readonly pcp?: number;
      /** TPID of the outer tag when there are two; 0x88a8 unless told (old gear: 0x8100 or 0x9100). */
      readonly tpidOuter?: number;
      readonly clientMac?: string;
      readonly serverMac?: string;
    }
  | { readonly type: 'sll' }
  | { readonly type: 'sll2'; readonly ifindex?: number }
  | { readonly type: 'raw' }
  | { readonly type: 'null' };

export function linkTypeOf(spec: LinkSpec): number {
  switch (spec.type) {
    case 'ethernet': return LINKTYPE.ETHERNET;
    case 'sll': return LINKTYPE.LINUX_SLL;
    case 'sll2': return LINKTYPE.LINUX_SLL2;
    case 'raw': return LINKTYPE.RAW;
    case 'null': return LINKTYPE.NULL;
  }
}

const DEFAULT_CLIENT_MAC = '02:00:00:00:00:01';
const DEFAULT_SERVER_MAC = '02:00:00:00:00:02';

function parseMac(mac: string): Buffer {
  const parts = mac.split(':');
  if (parts.length !== 6) throw new Error(`bad MAC address: ${mac}`);
  return Buffer.from(parts.map((p) => parseInt(p, 16)));
}

/**
 * The link header for one direction, built once per conversation and copied in front
 * of every frame (the header never depends on the packet's length for these types).
 */
export function linkHeader(spec: LinkSpec, dir: Dir, ipVersion: 4 | 6): Buffer {
  const ethertype = ipVersion === 4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6;
  const clientMac = parseMac((spec.type === 'ethernet' && spec.clientMac) || DEFAULT_CLIENT_MAC);
  const serverMac = parseMac((spec.type === 'ethernet' && spec.serverMac) || DEFAULT_SERVER_MAC);
  const srcMac = dir === 'c2s' ? clientMac : serverMac;
  const dstMac = dir === 'c2s' ? serverMac : clientMac;
  switch (spec.type) {
    case 'ethernet': {
      // IEEE 802.3 / 802.1Q: dst, src, [TPID TCI]*, ethertype.
      const tags = spec.vlan ?? [];
      const b = Buffer.alloc(14 + 4 * tags.length);
      dstMac.copy(b, 0);
      srcMac.copy(b, 6);
      let off = 12;
      tags.forEach((id, i) => {
        const tpid = tags.length > 1 && i === 0 ? (spec.tpidOuter ?? TPID_8021AD) : TPID_8021Q;
        b.writeUInt16BE(tpid, off);
        b.writeUInt16BE((((spec.pcp ?? 0) & 7) << 13) | (id & 0x0fff), off + 2);
        off += 4;
      });
      b.writeUInt16BE(ethertype, off);
      return b;
    }
    case 'sll': {
      // LINKTYPE_LINUX_SLL: packet type, ARPHRD, addr len, addr[8], protocol (16 bytes).
      // Packet types as if captured on the client host.
      const b = Buffer.alloc(16);
      b.writeUInt16BE(dir === 'c2s' ? PACKET_OUTGOING : PACKET_HOST, 0);
      b.writeUInt16BE(ARPHRD_ETHER, 2);
      b.writeUInt16BE(6, 4);
      srcMac.copy(b, 6);
      b.writeUInt16BE(ethertype, 14);
      return b;
    }
    case 'sll2': {
      // LINKTYPE_LINUX_SLL2: protocol, reserved, ifindex, ARPHRD, packet type, addr len, addr[8] (20 bytes).
      const b = Buffer.alloc(20);
      b.writeUInt16BE(ethertype, 0);
      b.writeUInt32BE(spec.ifindex ?? 1, 4);
      b.writeUInt16BE(ARPHRD_ETHER, 8);
      b.writeUInt8(dir === 'c2s' ? PACKET_OUTGOING : PACKET_HOST, 10);
      b.writeUInt8(6, 11);
      srcMac.copy(b, 12);
      return b;
    }
    case 'raw':
      // LINKTYPE_RAW: the packet begins with the IP header; the version nibble tells 4 from 6.
      return Buffer.alloc(0);
    case 'null': {
      // LINKTYPE_NULL: 4-byte address family in the writer's byte order. We write little
      // endian (the common case); AF_INET = 2, AF_INET6 = 30 (Darwin; readers also accept 24 and 28).
      const b = Buffer.alloc(4);
      b.writeUInt32LE(ipVersion === 4 ? 2 : 30, 0);
      return b;
    }
  }
}
