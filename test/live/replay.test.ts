/**
 * Issue 6, done-when #3: a capture of many SMTP sessions, synthesized with src/synth
 * (every address in 127.0.0.0/8, never any other), replayed onto lo with tcpreplay at
 * 20,000 packets per second while `smtpscope live -i lo` captures: no packet is lost
 * and every session of the replayed capture is reported.
 *
 * lo's link type is Ethernet on Linux and tcpreplay writes the frames as they are, so
 * the capture is Ethernet. The frames' destination MAC is not lo's, so the kernel's IP
 * stack ignores them (PACKET_OTHERHOST): nothing answers, only the capture sees them.
 * cap 0.2.1 exposes no pcap_stats(), so "no kernel drop" is shown the strongest way
 * available: live captures exactly as many packets as tcpreplay sent.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PcapWriter, fileSink } from '../../src/capture/writer.js';
import { addMs, smtpSessionFrames, timeFromIso } from '../../src/synth/index.js';
import { ensureBuilt, loCaptureUnavailable, runCli, startLive } from './helpers.js';

const SESSIONS = 1000;
const PORT = 10025;
const PPS = 20_000;

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

describe.skipIf(skipReason !== null)('replay onto lo at 20,000 packets per second', () => {
  const dir = mkdtempSync(join(tmpdir(), 'smtpscope-replay-'));
  const source = join(dir, 'source.pcap');
  let packets = 0;

  beforeAll(() => {
    ensureBuilt();
    packets = synthesize(source);
  }, 120_000);

  it('captures every packet and reports every session', async () => {
    const offline = JSON.parse(runCli(['analyze', '--ports', String(PORT), '--format', 'json', source]).stdout) as {
      summary: { sessions: number; packets: number };
    };
    expect(offline.summary.packets).toBe(packets);
    expect(offline.summary.sessions).toBe(SESSIONS);

    const child = startLive(['-i', 'lo', '--ports', String(PORT), '--buffer-size', '256MiB', '--count', String(packets), '--duration', '60s', '--format', 'jsonl']);
    await child.capturing;
    const replay = spawnSync(tcpreplay, ['-i', 'lo', `--pps=${PPS}`, source], { encoding: 'utf8' });
    expect(replay.status, replay.stderr).toBe(0);
    const sent = Number(/Actual: (\d+) packets/.exec(replay.stdout)?.[1]);
    const rate = Number(/Rated: .*?([\d.]+) pps/.exec(replay.stdout)?.[1]);
    expect(sent).toBe(packets);
    expect(rate).toBeGreaterThanOrEqual(PPS * 0.95);
    // --count stops live at the last packet; if any were lost it would wait: stop it.
    const timer = setTimeout(() => child.proc.kill('SIGINT'), 5000);
    const code = await child.exited;
    clearTimeout(timer);
    expect(code, child.stderr()).toBe(0);
    const lines = child.stdout().trim().split('\n').map((l) => JSON.parse(l) as { type: string; sessions?: number; packets?: number });
    const summary = lines.at(-1)!;
    const stats = /captured (\d+) packets on lo, (.*?);/.exec(child.stderr());
    console.info(`replay: ${sent} packets at ${rate} pps; live captured ${stats?.[1]} (${stats?.[2]}); ${summary.sessions} sessions`);
    expect(summary.type).toBe('summary');
    expect(summary.packets).toBe(packets); // no drop anywhere between tcpreplay and the pipeline
    expect(stats?.[2]).toMatch(/^(0 dropped by the kernel|kernel drops unknown)/);
    expect(summary.sessions).toBe(offline.summary.sessions);
    expect(lines.filter((l) => l.type === 'session')).toHaveLength(SESSIONS);
  }, 90_000);
});
