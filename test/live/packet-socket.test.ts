/**
 * capture/live-socket.ts without root: finding libpcap's packet socket among the
 * process's descriptors, keeping the totals of counters the kernel resets on every
 * read, the loopback filter only where loopback packets pass, the interface's own
 * drops from sysfs, and the addon itself on descriptors that are not packet sockets.
 * (Real packet sockets, real drops: test/live/replay.test.ts, as root.)
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  attachKernelCounters,
  interfaceDropCounter,
  loadPacketSocketAddon,
  newPacketSockets,
  PACKET_SOCKET_PACKAGE,
  socketDescriptors,
  type KernelCounters,
  type PacketSocketAddon,
} from '../../src/capture/live-socket.js';
import { dropsText } from '../../src/cli/commands/live.js';

/** A /proc/self/fd look-alike: name → link target. */
function fdDir(links: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'smtpscope-fd-'));
  for (const [fd, target] of Object.entries(links)) symlinkSync(target, join(d, fd));
  return d;
}

/** A /sys/class/net look-alike. */
function sysNet(devices: Record<string, { ifindex: number; missed?: number; fifo?: number }>): string {
  const d = mkdtempSync(join(tmpdir(), 'smtpscope-sys-'));
  for (const [name, v] of Object.entries(devices)) {
    mkdirSync(join(d, name, 'statistics'), { recursive: true });
    writeFileSync(join(d, name, 'ifindex'), `${v.ifindex}\n`);
    if (v.missed !== undefined) writeFileSync(join(d, name, 'statistics', 'rx_missed_errors'), `${v.missed}\n`);
    if (v.fifo !== undefined) writeFileSync(join(d, name, 'statistics', 'rx_fifo_errors'), `${v.fifo}\n`);
  }
  return d;
}

/** An addon whose kernel counters reset on every read, as PACKET_STATISTICS does. */
function fakeAddon(packetFds: number[]) {
  const pending = { packets: 0, drops: 0 };
  const calls: string[] = [];
  let failing = false;
  const addon: PacketSocketAddon = {
    isPacketSocket: (fd) => packetFds.includes(fd),
    read(fd) {
      calls.push(`read ${fd}`);
      if (failing) throw new Error('getsockopt(PACKET_STATISTICS) on fd 7: Bad file descriptor');
      const s = { ...pending, freezeQueueCount: null, tpacketVersion: 2 };
      pending.packets = 0;
      pending.drops = 0;
      return s;
    },
    skipLoopbackOutgoing(fd, lo) {
      calls.push(`skip ${fd} ${lo}`);
      return 30;
    },
  };
  return {
    addon,
    calls,
    arrive(packets: number, drops: number) {
      pending.packets += packets + drops;
      pending.drops += drops;
    },
    fail() {
      failing = true;
    },
  };
}

describe('finding the packet socket cap.open() created', () => {
  it('lists socket descriptors as fd:inode, nothing else', () => {
    const d = fdDir({ '0': '/dev/pts/0', '3': 'socket:[1001]', '7': 'socket:[2002]', '9': 'anon_inode:[eventfd]' });
    expect(socketDescriptors(d)).toEqual(
      new Map([
        ['3:1001', 3],
        ['7:2002', 7],
      ]),
    );
    expect(socketDescriptors(join(d, 'missing'))).toEqual(new Map());
  });

  it('new = not there before (a reused descriptor number with a new inode is new), and AF_PACKET', () => {
    const before = new Map([
      ['3:1001', 3],
      ['7:2002', 7],
    ]);
    const after = new Map([
      ['3:1001', 3],
      ['7:3003', 7], // 7 closed and reopened
      ['8:3004', 8],
    ]);
    expect(newPacketSockets(before, after, (fd) => fd !== 8)).toEqual([7]);
    expect(newPacketSockets(before, after, () => true)).toEqual([7, 8]);
    expect(
      newPacketSockets(before, after, () => {
        throw new Error('EBADF');
      }),
    ).toEqual([]);
  });

  it('exactly one new packet socket, or the counters stay unknown (never a guess)', () => {
    const { addon } = fakeAddon([7, 8]);
    const sys = sysNet({ lo: { ifindex: 1 } });
    const before = new Map([['3:1001', 3]]);
    expect(attachKernelCounters(addon, 'lo', before, { fdDir: fdDir({ '3': 'socket:[1001]' }), sysNet: sys })).toBe(
      'found 0 new packet sockets after opening lo, expected 1',
    );
    expect(attachKernelCounters(addon, 'lo', before, { fdDir: fdDir({ '7': 'socket:[1]', '8': 'socket:[2]' }), sysNet: sys })).toBe(
      'found 2 new packet sockets after opening lo, expected 1',
    );
  });
});

describe('the kernel counters', () => {
  const attach = (device: string, fake: ReturnType<typeof fakeAddon>, sys: string) =>
    attachKernelCounters(fake.addon, device, new Map(), { fdDir: fdDir({ '7': 'socket:[77]' }), sysNet: sys }) as KernelCounters;

  it('keeps the totals of counters that reset on each read; what arrived before the first read counts', () => {
    const fake = fakeAddon([7]);
    fake.arrive(5, 0); // queued while libpcap set the filter
    const k = attach('eth0', fake, sysNet({ lo: { ifindex: 1 }, eth0: { ifindex: 2, missed: 10, fifo: 1 } }));
    expect(typeof k).toBe('object');
    expect(k.tpacketVersion).toBe(2);
    fake.arrive(100, 0);
    expect(k.read()).toEqual({ received: 105, drops: 0, ifDrops: 0 });
    fake.arrive(50, 25);
    expect(k.read()).toEqual({ received: 180, drops: 25, ifDrops: 0 });
    expect(k.read()).toEqual({ received: 180, drops: 25, ifDrops: 0 });
  });

  it('a failed read makes the totals unknown from then on, with the reason', () => {
    const fake = fakeAddon([7]);
    const k = attach('eth0', fake, sysNet({ lo: { ifindex: 1 } }));
    fake.arrive(10, 1);
    expect(k.read()).toMatchObject({ drops: 1 });
    fake.fail();
    expect(k.read()).toBeNull();
    expect(k.unavailable).toMatch(/^reading the kernel counters failed \(getsockopt\(PACKET_STATISTICS\).*Bad file descriptor\)$/);
    expect(k.read()).toBeNull();
  });

  it('the loopback filter goes on lo (by ifindex, whatever its name) and any, never elsewhere', () => {
    const sys = sysNet({ lo: { ifindex: 1 }, eth0: { ifindex: 2 }, lo2: { ifindex: 1 } });
    for (const [device, expected] of [
      ['lo', true],
      ['any', true],
      ['lo2', true],
      ['eth0', false],
    ] as const) {
      const fake = fakeAddon([7]);
      const k = attach(device, fake, sys);
      expect(k.loopbackDeduplicated, device).toBe(expected);
      expect(fake.calls.includes('skip 7 1'), device).toBe(expected);
    }
  });

  it("interface drops: rx_missed_errors + rx_fifo_errors since the start (libpcap's ps_ifdrop); unknown without sysfs counters", () => {
    const sys = sysNet({ lo: { ifindex: 1 }, eth0: { ifindex: 2, missed: 10, fifo: 1 } });
    expect(interfaceDropCounter('eth0', sys)).toBe(11);
    expect(interfaceDropCounter('any', sys)).toBeNull();
    expect(interfaceDropCounter('../etc', sys)).toBeNull();
    const fake = fakeAddon([7]);
    const k = attach('eth0', fake, sys);
    writeFileSync(join(sys, 'eth0', 'statistics', 'rx_missed_errors'), '14\n');
    writeFileSync(join(sys, 'eth0', 'statistics', 'rx_fifo_errors'), '2\n');
    expect(k.read()).toMatchObject({ ifDrops: 5 });
    expect(attach('any', fakeAddon([7]), sys).read()).toMatchObject({ ifDrops: null });
  });
});

describe('the addon', () => {
  it('is Linux only, and its absence is a reason, not an error', () => {
    expect(loadPacketSocketAddon({}, 'darwin')).toEqual({ addon: null, why: 'kernel drop counts are read on Linux only (this is darwin)' });
    const simulated = loadPacketSocketAddon({ SMTPSCOPE_SIMULATE_NO_PACKET_SOCKET: '1' }, 'linux');
    expect(simulated.addon).toBeNull();
    expect('why' in simulated && simulated.why).toMatch(/smtpscope-packet-socket addon is not built \(simulated\): npm rebuild smtpscope-packet-socket/);
  });

  it('says how to get it back: npm install when npm left it out (its build failed), npm rebuild when its build is gone', () => {
    const failing = (message: string) => () => {
      throw new Error(`${message}\nRequire stack:\n- /x/dist/capture/live-socket.js`);
    };
    const why = (l: ReturnType<typeof loadPacketSocketAddon>) => ('why' in l ? l.why : null);
    expect(why(loadPacketSocketAddon({}, 'linux', failing("Cannot find module 'smtpscope-packet-socket'")))).toBe(
      'the smtpscope-packet-socket addon is not installed: npm install builds it (python3, make and a C compiler); its build errors show there',
    );
    expect(why(loadPacketSocketAddon({}, 'linux', failing("Cannot find module './build/Release/packet_socket.node'")))).toBe(
      "the smtpscope-packet-socket addon cannot be loaded (Cannot find module './build/Release/packet_socket.node'): npm rebuild smtpscope-packet-socket builds it (python3, make and a C compiler)",
    );
    expect(why(loadPacketSocketAddon({}, 'linux', () => ({})))).toMatch(/cannot be loaded \(unexpected exports\)/);
  });

  let built: PacketSocketAddon | null = null;
  try {
    built = createRequire(import.meta.url)(PACKET_SOCKET_PACKAGE) as PacketSocketAddon;
  } catch {
    console.warn(`test/live/packet-socket: the ${PACKET_SOCKET_PACKAGE} addon is not built; its own checks are skipped`);
  }

  it.skipIf(built === null)('answers on descriptors that are not packet sockets with false or the errno text', () => {
    const a = built!;
    expect(loadPacketSocketAddon({}, 'linux').addon).not.toBeNull();
    const fd = openSync(join(tmpdir(), `smtpscope-not-a-socket-${process.pid}`), 'w');
    try {
      expect(a.isPacketSocket(fd)).toBe(false);
      expect(() => a.read(fd)).toThrow(`getsockopt(PACKET_STATISTICS) on fd ${fd}: Socket operation on non-socket`);
      expect(() => a.skipLoopbackOutgoing(fd, 1)).toThrow(/getsockopt\(SO_GET_FILTER\) on fd \d+: Socket operation on non-socket/);
    } finally {
      closeSync(fd);
    }
    expect(() => a.read(-1)).toThrow(TypeError);
    expect(() => (a.read as (x: unknown) => unknown)('3')).toThrow(/a file descriptor/);
    expect(() => (a.skipLoopbackOutgoing as (x: unknown) => unknown)(3)).toThrow(/a file descriptor and an interface index/);
  });
});

describe('the closing line', () => {
  it('says what the kernel dropped, what matched the filter and what the interface lost; or why it cannot', () => {
    expect(dropsText({ kernelDrops: 0, kernelReceived: 37000, ifDrops: 0, dropsUnavailable: null })).toBe('0 dropped by the kernel (37000 matched the filter, 0 lost by the interface)');
    expect(dropsText({ kernelDrops: 4984, kernelReceived: 5000, ifDrops: null, dropsUnavailable: null })).toBe('4984 dropped by the kernel (5000 matched the filter)');
    expect(dropsText({ kernelDrops: null, kernelReceived: null, ifDrops: null, dropsUnavailable: 'kernel drop counts are read on Linux only (this is darwin)' })).toBe(
      'kernel drops unknown: kernel drop counts are read on Linux only (this is darwin)',
    );
  });
});
