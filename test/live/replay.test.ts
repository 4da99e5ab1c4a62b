/**
 * Issue 6, done-when #3: a capture of many SMTP sessions, synthesized with src/synth
 * (every address in 127.0.0.0/8, never any other), replayed onto lo with tcpreplay at
 * 20,000 packets per second while `smtpscope live -i lo` captures: no packet is lost,
 * the kernel's drop count (read from libpcap's packet socket, capture/live-socket.ts)
 * says 0 on the status line and at the end, and every session is reported.
 *
 * And the drop count is real: a capture stopped with SIGSTOP while a burst arrives,
 * with a ring of a few slots, counts what it lost, and captured + dropped = sent.
 *
 * lo's link type is Ethernet on Linux and tcpreplay writes the frames as they are, so
 * the capture is Ethernet. The frames' destination MAC is not lo's, so the kernel's IP
 * stack ignores them (PACKET_OTHERHOST): nothing answers, only the capture sees them.
 * Each frame reaches the packet socket twice on lo (sent, then received); live has the
 * kernel drop the sent copy (libpcap would discard it anyway), so the kernel counts
 * each packet once: "matched the filter" = sent.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { PcapWriter, fileSink } from '../../src/capture/writer.js';
import { addMs, smtpSessionFrames, timeFromIso } from '../../src/synth/index.js';
import { closingLine, ensureBuilt, loCaptureUnavailable, runCli, SCRIPT, startLive, statusDrops } from './helpers.js';

const SESSIONS = 1000;
const PORT = 10025;
const PPS = 20_000;
/** The burst sent while the capture is stopped, and the ring it meets (~16 slots of 64 KiB). */
const BURST = 5000;
const TINY_RING = '1MiB';

const tcpreplay = spawnSync('sh', ['-c', 'command -v tcpreplay'], { encoding: 'utf8' }).stdout.trim();
const skipReason = loCaptureUnavailable() ?? (tcpreplay === '' ? 'tcpreplay is not installed (apt-get install tcpreplay)' : null);
if (skipReason) console.warn(`test/live/replay: skipped: ${skipReason}`);

/** The source capture: SESSIONS deliveries from 127.0.1.x/127.0.2.x clients to 127.0.0.1:PORT. */
function synthesize(path: string): number {
  const w = new PcapWriter(fileSink(path), { linkType: 1, precision: 'us' });
  const t0 = timeFromIso('2024-01-15T10:00:00Z');
  let n = 0;
  for (let i = 0; i < SESSIONS; i++) {
    const client = { ip: `127.0.${1 + (i >> 8)}.${i & 0xff}`, port: 30000 + i };
    for (const f of smtpSessionFrames({ client, server: { ip: '127.0.0.1', port: PORT }, start: addMs(t0, i * 5) }, { bodyBytes: 700 })) {
      w.write(f);
      n++;
    }
  }
  w.close();
  return n;
}

/** tcpreplay onto lo; the packets it says it sent and its rate. */
function replay(source: string, extra: string[] = []): { sent: number; rate: number } {
  const r = spawnSync(tcpreplay, ['-i', 'lo', `--pps=${PPS}`, ...extra, source], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return { sent: Number(/Actual: (\d+) packets/.exec(r.stdout)?.[1]), rate: Number(/Rated: .*?([\d.]+) pps/.exec(r.stdout)?.[1]) };
}

type Drops = { kernel: number | null; interface: number | null; unavailable: string | null };
type JsonLine = { type: string; sessions?: number; packets?: number; rule?: string; summary?: string; inputs?: { drops: Drops | null }[] };
const jsonLines = (text: string) => text.trim().split('\n').map((l) => JSON.parse(l) as JsonLine);

describe.skipIf(skipReason !== null)('replay onto lo at 20,000 packets per second', () => {
  const dir = mkdtempSync(join(tmpdir(), 'smtpscope-replay-'));
  const source = join(dir, 'source.pcap');
  let packets = 0;

  beforeAll(() => {
    ensureBuilt();
    packets = synthesize(source);
  }, 120_000);

  it('captures every packet, the kernel drops none (status line and closing line say 0), every session is reported', async () => {
    const offline = JSON.parse(runCli(['analyze', '--ports', String(PORT), '--format', 'json', source]).stdout) as {
      summary: { sessions: number; packets: number };
    };
    expect(offline.summary.packets).toBe(packets);
    expect(offline.summary.sessions).toBe(SESSIONS);

    // On a terminal (when script(1) is there), so that the status line is drawn.
    const terminal = SCRIPT !== null;
    const out = join(dir, 'live.jsonl');
    const child = startLive(['-i', 'lo', '--ports', String(PORT), '--buffer-size', '256MiB', '--count', String(packets), '--duration', '60s', '--format', 'jsonl', '-o', out], { terminal });
    await child.capturing;
    const { sent, rate } = replay(source);
    expect(sent).toBe(packets);
    expect(rate).toBeGreaterThanOrEqual(PPS * 0.95);
    // --count stops live at the last packet; if any were lost it would wait: stop it.
    const timer = setTimeout(() => child.interrupt(), 5000);
    const code = await child.exited;
    clearTimeout(timer);
    const said = terminal ? child.stdout() : child.stderr();
    expect(code, said).toBe(0);
    const lines = jsonLines(readFileSync(out, 'utf8'));
    const summary = lines.at(-1)!;
    const end = closingLine(said);
    const drawn = statusDrops(said);
    console.info(
      `replay: ${sent} packets at ${rate} pps; live captured ${end?.captured}, kernel drops ${end?.kernelDrops}, matched the filter ${end?.matched}, interface drops ${end?.ifDrops}; ` +
        `status line drops ${terminal ? `[${[...new Set(drawn)].join(', ')}] in ${drawn.length} redraws` : '(no terminal)'}; ${summary.sessions} sessions`,
    );
    expect(summary.type).toBe('summary');
    expect(summary.packets).toBe(packets); // no drop anywhere between tcpreplay and the pipeline
    expect(end).toMatchObject({ captured: packets, device: 'lo', kernelDrops: 0, matched: packets, ifDrops: 0 });
    if (terminal) {
      expect(drawn.length).toBeGreaterThan(0);
      expect(new Set(drawn)).toEqual(new Set(['0'])); // a number, never n/a
    }
    expect(summary.sessions).toBe(offline.summary.sessions);
    expect(lines.filter((l) => l.type === 'session')).toHaveLength(SESSIONS);
    // The report keeps the counts: nothing lost, so no capture-truncated finding.
    expect(summary.inputs?.[0]?.drops).toEqual({ kernel: 0, interface: 0, unavailable: null });
    expect(lines.filter((l) => l.rule === 'capture-truncated')).toEqual([]);
  }, 90_000);

  it('counts the drops of a capture that cannot keep up: stopped (SIGSTOP) during a burst, captured + dropped = sent', async () => {
    const child = startLive(['-i', 'lo', '--ports', String(PORT), '--buffer-size', TINY_RING, '--duration', '60s', '--format', 'jsonl']);
    await child.capturing;
    // The whole process stops: nothing reads the ring, which fills after a few packets;
    // the kernel drops the rest and counts them (tp_drops).
    child.proc.kill('SIGSTOP');
    let burst: { sent: number; rate: number };
    try {
      burst = replay(source, [`--limit=${BURST}`]);
    } finally {
      child.proc.kill('SIGCONT');
    }
    expect(burst.sent).toBe(BURST);
    await sleep(1500); // the ring's packets reach the pipeline
    child.interrupt();
    const code = await child.exited;
    expect(code, child.stderr()).toBe(0);
    const end = closingLine(child.stderr());
    const summary = jsonLines(child.stdout()).at(-1)!;
    console.info(`stopped capture: ${burst.sent} packets at ${burst.rate} pps into a ${TINY_RING} ring; captured ${end?.captured}, kernel drops ${end?.kernelDrops}, matched the filter ${end?.matched}`);
    expect(end).not.toBeNull();
    expect(end!.kernelDrops).toBeGreaterThan(BURST / 2);
    expect(end!.matched).toBe(BURST); // each packet once: lo's outgoing copies are not counted
    expect(end!.captured + end!.kernelDrops!).toBe(BURST);
    expect(summary.packets).toBe(end!.captured);
    // The report says so too, and a capture-truncated finding warns that findings may be missing.
    expect(summary.inputs?.[0]?.drops).toMatchObject({ kernel: end!.kernelDrops, unavailable: null });
    const lost = jsonLines(child.stdout()).filter((l) => l.rule === 'capture-truncated');
    expect(lost).toHaveLength(1);
    expect(lost[0]!.summary).toContain(`${end!.kernelDrops} packets dropped by the kernel (capture buffer full)`);
  }, 90_000);

  it('without the addon the drop count is unknown and said so (n/a on the status line), and capture still works', async () => {
    const terminal = SCRIPT !== null;
    const child = startLive(['-i', 'lo', '--ports', String(PORT), '--duration', '3s', '--format', 'jsonl', '-o', join(dir, 'no-addon.jsonl')], {
      terminal,
      env: { SMTPSCOPE_SIMULATE_NO_PACKET_SOCKET: '1' },
    });
    await child.capturing;
    const { sent } = replay(source, ['--limit=370']);
    const code = await child.exited;
    const said = terminal ? child.stdout() : child.stderr();
    expect(code, said).toBe(0);
    expect(said).toContain('smtpscope: kernel drops will not be counted: the smtpscope-packet-socket addon is not built (simulated)');
    expect(closingLine(said)).toMatchObject({ captured: sent, kernelDrops: null, matched: null, ifDrops: null, sessions: 10 });
    const summary = jsonLines(readFileSync(join(dir, 'no-addon.jsonl'), 'utf8')).at(-1)!;
    expect(summary.inputs?.[0]?.drops).toMatchObject({ kernel: null, unavailable: expect.stringContaining('addon is not built (simulated)') });
    if (terminal) {
      expect(statusDrops(said).length).toBeGreaterThan(0);
      expect(new Set(statusDrops(said))).toEqual(new Set(['n/a']));
    }
  }, 60_000);
});
