/**
 * The kernel side of a live capture on Linux: the AF_PACKET socket libpcap captures
 * with, its drop counter, and the loopback duplicates it should never have queued.
 *
 * cap 0.2.1 has no pcap_stats() and does not expose libpcap's socket, so:
 * - the socket is FOUND: the socket file descriptors of this process
 *   (/proc/self/fd/N → `socket:[inode]`) are listed before and after cap.open(); the
 *   one new AF_PACKET socket (getsockopt SO_DOMAIN) is libpcap's. cap.open() is
 *   synchronous, so no other JavaScript opens a socket in between; anything but
 *   exactly one new packet socket leaves the counters unknown rather than guessed.
 * - its counters are READ with our own addon, native/packet-socket (the optional
 *   package smtpscope-packet-socket, built by node-gyp at install): getsockopt
 *   PACKET_STATISTICS, as pcap_stats_linux() does. Each read resets the kernel's
 *   counters, so the totals are kept here. libpcap reads them only inside
 *   pcap_stats(), which cap never calls: every drop since the socket opened is ours.
 * - on a device that carries loopback traffic (`lo`, `any`), the kernel is told to
 *   reject the outgoing copy of each loopback packet (see skipLoopbackOutgoing in
 *   native/packet-socket/src/packet_socket.c): libpcap discards those copies in user
 *   space anyway, but only after each has taken a ring slot and, when the ring is
 *   full, been counted as a drop. Without this, lo's ring holds half as many packets
 *   and its drop count counts copies, not packets.
 *
 * Everything here is optional: not Linux, addon not built, no /proc, an unexpected
 * socket count: the counters are null (the status line says `drops n/a`) and
 * `unavailable` says why.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createRequire } from 'node:module';

/** What native/packet-socket exports (src/packet_socket.c). */
export interface PacketSocketAddon {
  isPacketSocket(fd: number): boolean;
  read(fd: number): { packets: number; drops: number; freezeQueueCount: number | null; tpacketVersion: number | null };
  skipLoopbackOutgoing(fd: number, loIfindex: number): number;
}

/** The package name in optionalDependencies (file:native/packet-socket). */
export const PACKET_SOCKET_PACKAGE = 'smtpscope-packet-socket';
/** How to get the addon back when its build is missing or broken, in one line. */
export const PACKET_SOCKET_FIX = `npm rebuild ${PACKET_SOCKET_PACKAGE} builds it (python3, make and a C compiler)`;
/** When npm left it out (its build failed during the install, which is not fatal: it is optional). */
const PACKET_SOCKET_INSTALL = 'npm install builds it (python3, make and a C compiler); its build errors show there';

export type AddonLoad = { addon: PacketSocketAddon } | { addon: null; why: string };

let loadedAddon: AddonLoad | null = null;

/**
 * Loads the addon once. SMTPSCOPE_SIMULATE_NO_PACKET_SOCKET=1 makes it missing, as on
 * a machine where it did not build (tests of the `n/a` path); `req` replaces require
 * (tests; not cached).
 */
export function loadPacketSocketAddon(env: NodeJS.ProcessEnv = process.env, platform: string = process.platform, req?: (id: string) => unknown): AddonLoad {
  if (platform !== 'linux') return { addon: null, why: `kernel drop counts are read on Linux only (this is ${platform})` };
  if (env.SMTPSCOPE_SIMULATE_NO_PACKET_SOCKET === '1') return { addon: null, why: `the ${PACKET_SOCKET_PACKAGE} addon is not built (simulated): ${PACKET_SOCKET_FIX}` };
  if (req === undefined && loadedAddon) return loadedAddon;
  let result: AddonLoad;
  try {
    const addon = (req ?? createRequire(import.meta.url))(PACKET_SOCKET_PACKAGE) as PacketSocketAddon;
    if (typeof addon?.read !== 'function' || typeof addon.isPacketSocket !== 'function') throw new Error('unexpected exports');
    result = { addon };
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.trim();
    result = msg.includes(`Cannot find module '${PACKET_SOCKET_PACKAGE}'`)
      ? { addon: null, why: `the ${PACKET_SOCKET_PACKAGE} addon is not installed: ${PACKET_SOCKET_INSTALL}` }
      : { addon: null, why: `the ${PACKET_SOCKET_PACKAGE} addon cannot be loaded (${msg}): ${PACKET_SOCKET_FIX}` };
  }
  if (req === undefined) loadedAddon = result;
  return result;
}

/** This process's socket descriptors, as `fd:inode` keys (a reused fd number with a new socket is a new key). */
export function socketDescriptors(fdDir = '/proc/self/fd'): Map<string, number> {
  const out = new Map<string, number>();
  let names: string[];
  try {
    names = readdirSync(fdDir);
  } catch {
    return out;
  }
  for (const name of names) {
    let target: string;
    try {
      target = readlinkSync(`${fdDir}/${name}`);
    } catch {
      continue; // closed since the listing (the listing's own descriptor, for one)
    }
    const m = /^socket:\[(\d+)\]$/.exec(target);
    if (m) out.set(`${name}:${m[1]}`, Number(name));
  }
  return out;
}

/** The sockets in `after` that were not in `before` and are AF_PACKET sockets. */
export function newPacketSockets(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>, isPacket: (fd: number) => boolean): number[] {
  const out: number[] = [];
  for (const [key, fd] of after) {
    if (before.has(key)) continue;
    try {
      if (isPacket(fd)) out.push(fd);
    } catch {
      /* not ours to judge: skip */
    }
  }
  return out;
}

function readNumber(path: string): number | null {
  try {
    const n = Number(readFileSync(path, 'utf8').trim());
    return Number.isSafeInteger(n) && n >= 0 ? n : null;
  } catch {
    return null;
  }
}

/**
 * The interface's own drops, as current libpcap's ps_ifdrop on Linux: rx_missed_errors +
 * rx_fifo_errors from sysfs (the NIC had no room for the frame; nothing above it saw
 * it). Not rx_dropped: Linux also counts there frames the stack had no handler for,
 * which say nothing about the capture. null when the device has no such counters
 * (`any`) or sysfs is not there.
 */
export function interfaceDropCounter(device: string, sysNet = '/sys/class/net'): number | null {
  if (!/^[\w.:@-]+$/.test(device)) return null;
  const missed = readNumber(`${sysNet}/${device}/statistics/rx_missed_errors`);
  const fifo = readNumber(`${sysNet}/${device}/statistics/rx_fifo_errors`);
  return missed === null || fifo === null ? null : missed + fifo;
}

/** Whether `device` can carry loopback packets: `lo` itself (same ifindex) or `any`. */
function loopbackIfindexFor(device: string, sysNet: string): number | null {
  const lo = readNumber(`${sysNet}/lo/ifindex`);
  if (lo === null) return null;
  if (device === 'any') return lo;
  return readNumber(`${sysNet}/${device}/ifindex`) === lo ? lo : null;
}

export interface KernelCounts {
  /** Packets dropped because the ring was full (tp_drops, libpcap's ps_drop). */
  drops: number;
  /** Packets that passed the filter, dropped ones included (tp_packets, libpcap's ps_recv). */
  received: number;
  /** NIC drops since the capture started (see interfaceDropCounter); null: unknown. */
  ifDrops: number | null;
}

export interface KernelCounters {
  /** Reads (and accumulates) the counters; null once a read failed: the totals would be short. */
  read(): KernelCounts | null;
  /** The socket's ring: TPACKET_V1..V3 as 1..3, null if unknown. */
  readonly tpacketVersion: number | null;
  /** Whether the kernel rejects loopback's outgoing copies (lo, any). */
  readonly loopbackDeduplicated: boolean;
  /** Why the counters stopped being available, or null. */
  readonly unavailable: string | null;
}

/**
 * Binds the counters to the packet socket cap.open() just created (`before`: the
 * socketDescriptors() taken right before the open). Returns the reason as a string
 * when the socket cannot be found or read.
 */
export function attachKernelCounters(
  addon: PacketSocketAddon,
  device: string,
  before: ReadonlyMap<string, number>,
  opts: { fdDir?: string; sysNet?: string } = {},
): KernelCounters | string {
  const sysNet = opts.sysNet ?? '/sys/class/net';
  const found = newPacketSockets(before, socketDescriptors(opts.fdDir), (fd) => addon.isPacketSocket(fd));
  if (found.length !== 1) return `found ${found.length} new packet sockets after opening ${device}, expected 1`;
  const fd = found[0]!;
  let received = 0;
  let drops = 0;
  let unavailable: string | null = null;
  let tpacketVersion: number | null = null;
  /** One read into the totals; the error text when it fails. */
  const readKernel = (): string | null => {
    try {
      const s = addon.read(fd);
      received += s.packets;
      drops += s.drops;
      tpacketVersion = s.tpacketVersion;
      return null;
    } catch (e) {
      return `reading the kernel counters failed (${e instanceof Error ? e.message : String(e)})`;
    }
  };
  // The first read proves the descriptor answers; what it returns (packets queued
  // while the filter was being set) counts, as in pcap_stats.
  const first = readKernel();
  if (first !== null) return first;
  let loopbackDeduplicated = false;
  const lo = loopbackIfindexFor(device, sysNet);
  if (lo !== null) {
    try {
      loopbackDeduplicated = addon.skipLoopbackOutgoing(fd, lo) > 0;
    } catch {
      /* the filter stays libpcap's: lo's copies are counted twice, as by tcpdump */
    }
  }
  const ifBase = interfaceDropCounter(device, sysNet);
  return {
    read() {
      if (unavailable !== null) return null;
      unavailable = readKernel();
      if (unavailable !== null) return null;
      const ifNow = ifBase === null ? null : interfaceDropCounter(device, sysNet);
      return { drops, received, ifDrops: ifNow === null || ifBase === null ? null : Math.max(0, ifNow - ifBase) };
    },
    get tpacketVersion() {
      return tpacketVersion;
    },
    loopbackDeduplicated,
    get unavailable() {
      return unavailable;
    },
  };
}
