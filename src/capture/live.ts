/**
 * Live capture with libpcap through the `cap` package (an optional dependency).
 *
 * `cap` is loaded lazily (`await import('cap')`), so offline analysis and `--help`
 * never load libpcap, and a machine without it still installs and analyzes files.
 * Every way live capture can be impossible (module or libpcap missing, no right to
 * capture, no such device, a bad filter) becomes ONE UserError line that says what is
 * missing and how to fix it (habit 7: the CLI prints it and exits 2).
 *
 * What cap 0.2.1 gives, and what it does not (node_modules/cap/src/binding.cc):
 * - open(device, filter, kernelBufferBytes, buffer) → the link type as a name; the
 *   snap length is fixed at 65535 and promiscuous and immediate mode are on.
 * - a 'packet' event per packet with (capturedLength, truncated), the bytes copied into
 *   OUR buffer, which is overwritten by the next packet: a packet is a BORROWED view,
 *   exactly like a reader's (capture/types.ts), valid while the callback runs.
 * - NO pcap header timestamp: a packet is stamped with the wall clock when the event
 *   runs (µs, monotonic within a capture). Immediate mode keeps that within the
 *   event-loop latency of the kernel's stamp.
 * - NO pcap_stats(): on Linux the kernel's counters are read from libpcap's packet
 *   socket with our own addon (capture/live-socket.ts, native/packet-socket), which
 *   also keeps loopback's outgoing duplicates out of the ring; a module that offers
 *   `stats()` (a newer or patched cap) is used first. Otherwise the drop count is
 *   `null` (unknown) and `dropsUnavailable` says why.
 */
import type { Time } from '../util/time.js';
import { UserError } from './errors.js';
import { attachKernelCounters, loadPacketSocketAddon, socketDescriptors, type KernelCounters } from './live-socket.js';
import type { CaptureDrops, CaptureSummary, Packet, PacketCallback } from './types.js';

/** The part of cap's Cap object we use (its typings do not exist). */
interface CapHandle {
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  close(): boolean;
  on(ev: 'packet', fn: (nbytes: number, truncated: boolean) => void): unknown;
  removeAllListeners(ev?: string): unknown;
  /** Not in cap 0.2.1; used when present (pcap_stats: ps_recv, ps_drop, ps_ifdrop). */
  stats?: () => { ps_recv?: number; ps_drop?: number; ps_ifdrop?: number; recv?: number; drop?: number; ifdrop?: number };
}

export interface CapDevice {
  name: string;
  description?: string;
  addresses: { addr?: string; netmask?: string; broadaddr?: string }[];
  flags?: string;
}

interface CapModule {
  Cap: { new (): CapHandle; deviceList(): CapDevice[] };
}

/** The fix for "cap cannot be loaded", in one line. */
export const NO_LIBPCAP_FIX =
  'install libpcap (Debian/Ubuntu: apt-get install libpcap0.8, plus libpcap-dev to build) and rebuild the module (npm rebuild cap)';
/** The fix for "no right to capture", in one line. */
export const NO_RIGHTS_FIX =
  'run as root, or grant node the capture capabilities once: sudo setcap cap_net_raw,cap_net_admin=eip $(readlink -f $(which node))';

let loaded: Promise<CapModule> | null = null;

/**
 * Loads `cap` once. SMTPSCOPE_SIMULATE_NO_LIBPCAP=1 makes the load fail as on a
 * machine without libpcap (tests of the one-line explanation).
 */
export function loadCap(env: NodeJS.ProcessEnv = process.env): Promise<CapModule> {
  if (env.SMTPSCOPE_SIMULATE_NO_LIBPCAP === '1') {
    return Promise.reject(noLibpcap('libpcap.so.0.8: cannot open shared object file: No such file or directory (simulated)'));
  }
  // A specifier in a variable: cap ships no typings, and tsc must not resolve it.
  const specifier = 'cap';
  loaded ??= import(specifier).then(
    (m: unknown) => {
      const mod = ((m as { default?: unknown }).default ?? m) as CapModule;
      if (typeof mod?.Cap !== 'function') throw noLibpcap('the cap module has no Cap class');
      return mod;
    },
    (e: unknown) => {
      loaded = null;
      throw noLibpcap(e instanceof Error ? e.message : String(e));
    },
  );
  return loaded;
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}

function noLibpcap(cause: string): UserError {
  const what = /Cannot find (module|package) 'cap'/.test(cause)
    ? 'the optional cap module is not installed'
    : /cap\.node/.test(cause)
      ? 'the cap module is not built'
      : 'libpcap cannot be loaded';
  return new UserError(null, null, `live capture is not available: ${what} (${firstLine(cause)}); ${NO_LIBPCAP_FIX}`);
}

/** libpcap's open errors, turned into what the user can do about them. */
export function openError(device: string, message: string): UserError {
  const m = firstLine(message);
  if (/permission|not permitted|EPERM|EACCES/i.test(m)) {
    return new UserError(null, null, `no permission to capture on ${device} (${m}); ${NO_RIGHTS_FIX}`);
  }
  if (/no such device|doesn't exist|does not exist|ENODEV|ENXIO/i.test(m)) {
    return new UserError(null, null, `no capture device "${device}" (${m}); smtpscope interfaces lists the devices`);
  }
  if (/syntax|parse|filter|unknown|expression|vlan/i.test(m)) {
    return new UserError(null, null, `--bpf: libpcap rejected the filter (${m}); check it with tcpdump -d '<expr>'`);
  }
  return new UserError(null, null, `cannot capture on ${device}: ${m}`);
}

/**
 * cap's link-type names → LINKTYPE_* numbers (https://www.tcpdump.org/linktypes.html;
 * cap's binding.cc maps DLT_* to these names and anything else to "Unknown linktype N").
 */
const LINK_NAMES: Record<string, number> = {
  NULL: 0,
  ETHERNET: 1,
  IEEE802_11_RADIO: 127,
  LINKTYPE_LINUX_SLL: 113,
  // DLT_RAW is 12 on Linux (14 on OpenBSD); pcap files say LINKTYPE_RAW (101).
  RAW: 101,
};

export function linkTypeOf(capName: string): number | null {
  const known = LINK_NAMES[capName];
  if (known !== undefined) return known;
  const m = /^Unknown linktype (\d+)$/.exec(capName);
  return m ? Number(m[1]) : null;
}

/**
 * The kernel filter: TCP on the SMTP ports (IPv4 and IPv6: `tcp port` matches both),
 * also inside one 802.1Q tag, and the user's --bpf within both. `vlan` shifts the
 * offsets of everything after it in libpcap's filter (pcap-filter(7)), hence the
 * untagged and tagged halves each carry the whole condition.
 */
export function smtpFilter(ports: readonly number[], bpf: readonly string[] = [], vlan = true): string {
  const portExpr = ports.map((p) => `tcp port ${p}`).join(' or ');
  const user = bpf.map((b) => b.trim()).filter((b) => b !== '');
  const cond = user.length ? `(${portExpr}) and ${user.map((b) => `(${b})`).join(' and ')}` : portExpr;
  return vlan ? `(${cond}) or (vlan and (${cond}))` : cond;
}

/**
 * The kernel ring libpcap reads (pcap_set_buffer_size). cap fixes the snap length at
 * 65535 and turns on immediate mode, so Linux libpcap uses TPACKET_V2 (the addon reads
 * the version back), whose slots are all as large as the snap length: ~64 KiB each,
 * measured on lo (64 MiB held 1023 packets, 1 MiB 16). 128 MiB holds ~2000 packets,
 * 100 ms at 20,000 packets per second, enough for a garbage collection or a busy CPU;
 * --buffer-size changes it. (Before the loopback duplicates were kept out of the ring,
 * lo held half that: every packet took two slots.)
 */
export const DEFAULT_KERNEL_BUFFER = 128 << 20;

export interface LiveStats {
  /** Packets delivered to the pipeline. */
  packets: number;
  bytes: number;
  /**
   * Packets that matched the filter but found the kernel ring full (libpcap's ps_drop,
   * the kernel's tp_drops); null when unknown (see dropsUnavailable).
   */
  kernelDrops: number | null;
  /**
   * Packets that matched the filter, dropped ones included (ps_recv, tp_packets); the
   * ones still in the ring when the capture stops are counted but never delivered.
   */
  kernelReceived: number | null;
  /** Frames the interface itself lost while capturing (libpcap's ps_ifdrop); null when unknown. */
  ifDrops: number | null;
  /** Why kernelDrops is null, in words; null when it is known. */
  dropsUnavailable: string | null;
}

/** The shape of pipeline.ts PacketSource (declared there; repeated to keep capture/ below the pipeline). */
export type LivePacketSource = (onPacket: PacketCallback) => Promise<CaptureSummary[]>;

export interface LiveOptions {
  device: string;
  filter: string;
  /** Kernel buffer (pcap_set_buffer_size); see DEFAULT_KERNEL_BUFFER. */
  kernelBufferBytes?: number;
  /** Stop after this many packets. */
  count?: number;
  /** Wall clock in ns since the epoch (tests); default Date.now() + hrtime. */
  clockNs?: () => bigint;
}

export interface LiveCapture {
  readonly device: string;
  readonly filter: string;
  readonly linkType: number;
  /** The packet source for runPipelineOn(); resolves when the capture is stopped. */
  readonly source: LivePacketSource;
  /** Stops the capture (signals, --duration); idempotent. */
  stop(): void;
  stats(): LiveStats;
}

/** Wall clock: epoch ms at start plus the monotonic clock since then. */
function wallClockNs(): () => bigint {
  const base = BigInt(Date.now()) * 1_000_000n;
  const hr0 = process.hrtime.bigint();
  return () => base + (process.hrtime.bigint() - hr0);
}

/** cap handles whose open() failed; see openLive. Never read: only kept from the collector. */
const FAILED_HANDLES: unknown[] = [];

/**
 * Opens `device` with the filter. Throws one-line UserErrors (see openError). When the
 * link type has no VLAN support in libpcap, the filter is retried without its VLAN half.
 */
export async function openLive(opts: LiveOptions): Promise<LiveCapture> {
  const mod = await loadCap();
  // Checked first: libpcap would also print a warning of its own for an unknown name.
  let names: string[] = [];
  try {
    names = mod.Cap.deviceList().map((d) => d.name);
  } catch {
    /* open() below says what is wrong */
  }
  if (names.length > 0 && !names.includes(opts.device)) {
    throw new UserError(null, null, `no capture device "${opts.device}"; smtpscope interfaces lists the devices (${names.slice(0, 6).join(', ')}${names.length > 6 ? ', ...' : ''})`);
  }
  // cap's snap length is 65535. cap keeps only a raw pointer to this buffer: it must stay
  // reachable from JS while the handle is open (the packet listener below uses it), or
  // the collector frees memory libpcap still copies into (seen as heap corruption).
  const buffer = Buffer.alloc(65_536);
  const kernelBytes = opts.kernelBufferBytes ?? DEFAULT_KERNEL_BUFFER;
  let cap = new mod.Cap();
  // A cap with pcap_stats() counts by itself (and a second reader would reset its
  // counters); otherwise the packet socket cap.open() creates is found and read by our
  // addon: the one new AF_PACKET socket afterwards.
  const addon = typeof cap.stats === 'function' ? null : loadPacketSocketAddon();
  let sockets = addon?.addon ? socketDescriptors() : null;
  let filter = opts.filter;
  let capName: string;
  try {
    capName = cap.open(opts.device, filter, kernelBytes, buffer);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const vlanHalf = / or \(vlan and \((.*)\)\)$/.exec(filter);
    if (!/vlan/i.test(msg) || vlanHalf === null) throw openError(opts.device, msg);
    // The failed handle is neither closed nor let go: cap 0.2.1's close() stops a poll it
    // never started, and so does its destructor when the collector frees the object, which
    // killed the process a few seconds into every capture on `any` (SIGSEGV, or libuv's
    // "uv_poll_stop: Assertion !uv__is_closing(handle)"). Kept reachable for the life of
    // the process: one object and one socket per failed open.
    FAILED_HANDLES.push(cap);
    cap = new mod.Cap();
    filter = vlanHalf[1]!;
    if (sockets) sockets = socketDescriptors(); // the dropped handle's socket stays open
    try {
      capName = cap.open(opts.device, filter, kernelBytes, buffer);
    } catch (e2) {
      throw openError(opts.device, e2 instanceof Error ? e2.message : String(e2));
    }
  }
  const linkType = linkTypeOf(capName);
  if (linkType === null) {
    cap.close();
    throw new UserError(null, null, `cannot capture on ${opts.device}: unknown link type ${capName}`);
  }
  let kernel: KernelCounters | null = null;
  let dropsUnavailable: string | null = null;
  if (addon === null) {
    /* the module's own stats() */
  } else if (addon.addon === null) {
    dropsUnavailable = addon.why;
  } else {
    const k = attachKernelCounters(addon.addon, opts.device, sockets!);
    if (typeof k === 'string') dropsUnavailable = k;
    else kernel = k;
  }
  const clock = opts.clockNs ?? wallClockNs();
  const count = opts.count ?? Infinity;
  let packets = 0;
  let bytes = 0;
  let first: Time | null = null;
  let last: Time | null = null;
  let stopped = false;
  let finish: (() => void) | null = null;
  let started = false;
  // Byte offset of the packet's record in the equivalent pcap file (--write): 24-byte header.
  let fileOffset = 24;
  let lastNs = 0n;

  type Counts = { drop: number | null; recv: number | null; ifdrop: number | null };
  const unknown: Counts = { drop: null, recv: null, ifdrop: null };
  const baseStats = (): Counts => {
    if (kernel !== null) {
      const k = kernel.read();
      if (k === null) dropsUnavailable = kernel.unavailable;
      return k === null ? unknown : { drop: k.drops, recv: k.received, ifdrop: k.ifDrops };
    }
    if (typeof cap.stats !== 'function') return unknown;
    try {
      const s = cap.stats();
      return { drop: s.ps_drop ?? s.drop ?? null, recv: s.ps_recv ?? s.recv ?? null, ifdrop: s.ps_ifdrop ?? s.ifdrop ?? null };
    } catch (e) {
      dropsUnavailable = `the cap module's stats() failed (${e instanceof Error ? e.message : String(e)})`;
      return unknown;
    }
  };
  // Read once more before cap.close() closes the socket (its descriptor may be reused).
  let finalStats: Counts | null = null;

  const stop = () => {
    if (stopped) return;
    stopped = true;
    finalStats = baseStats();
    cap.removeAllListeners('packet');
    cap.close();
    finish?.();
  };

  const stats = (): LiveStats => {
    const s = finalStats ?? (stopped ? unknown : baseStats());
    return { packets, bytes, kernelDrops: s.drop, kernelReceived: s.recv, ifDrops: s.ifdrop, dropsUnavailable: s.drop === null ? (dropsUnavailable ?? 'the capture module has no drop counter') : null };
  };

  const source: LivePacketSource = (onPacket: PacketCallback) => {
    if (started) throw new Error('live capture: the source can be run once');
    started = true;
    return new Promise<CaptureSummary[]>((resolve, reject) => {
      finish = () =>
        resolve([
          {
            file: opts.device,
            format: 'pcap',
            variant: `live capture on ${opts.device} (libpcap via cap, filter: ${filter})`,
            precision: 'us',
            linkTypes: [linkType],
            packets,
            bytes,
            first,
            last,
            truncatedPackets: 0,
            damage: null,
            drops: dropsOf(stats()),
          },
        ]);
      if (stopped) return finish();
      cap.on('packet', (nbytes: number) => {
        if (stopped) return;
        // µs, as the --write file keeps them, so live and offline analysis see the
        // same times; never backwards (the frame order is the capture order).
        let ns = (clock() / 1000n) * 1000n;
        if (ns < lastNs) ns = lastNs;
        lastNs = ns;
        const time: Time = { sec: Number(ns / 1_000_000_000n), nsec: Number(ns % 1_000_000_000n) };
        first ??= time;
        last = time;
        packets++;
        bytes += nbytes;
        const p: Packet = { frame: packets, time, linkType, data: buffer.subarray(0, nbytes), origLength: nbytes, fileOffset };
        fileOffset += 16 + nbytes;
        try {
          onPacket(p);
        } catch (e) {
          stop();
          reject(e);
          return;
        }
        if (packets >= count) stop();
      });
    });
  };

  return {
    device: opts.device,
    get filter() {
      return filter;
    },
    linkType,
    source,
    stop,
    stats,
  };
}

/** The report's view of the counters (CaptureSummary.drops), read when the capture stopped. */
export function dropsOf(s: LiveStats): CaptureDrops {
  return { kernel: s.kernelDrops, interface: s.ifDrops, unavailable: s.dropsUnavailable };
}

export interface DeviceInfo {
  name: string;
  description: string | null;
  loopback: boolean;
  addresses: string[];
  /** Why this device probably carries the mail traffic, or null. */
  hint: string | null;
}

/**
 * The devices libpcap sees, with their addresses, and a hint: the first non-loopback
 * device with an IPv4 address is where a mail server's traffic usually is; `any`
 * (Linux) sees every device; loopback carries local relays and content filters.
 */
export async function listDevices(): Promise<DeviceInfo[]> {
  const mod = await loadCap();
  let list: CapDevice[];
  try {
    list = mod.Cap.deviceList();
  } catch (e) {
    throw openError('(device list)', e instanceof Error ? e.message : String(e));
  }
  const out: DeviceInfo[] = list.map((d) => ({
    name: d.name,
    description: d.description ?? null,
    loopback: (d.flags ?? '').includes('LOOPBACK') || d.name === 'lo' || /^lo\d*$/.test(d.name),
    addresses: d.addresses.map((a) => a.addr).filter((a): a is string => typeof a === 'string'),
    hint: null,
  }));
  const main = out.find((d) => !d.loopback && d.name !== 'any' && d.addresses.some((a) => !a.includes(':')));
  if (main) main.hint = 'likely carries the mail traffic (first non-loopback device with an IPv4 address)';
  for (const d of out) {
    if (d.hint !== null) continue;
    if (d.name === 'any') d.hint = 'every device at once (Linux cooked capture)';
    else if (d.loopback) d.hint = 'loopback: local relays, content filters (amavis, milters)';
  }
  return out;
}
