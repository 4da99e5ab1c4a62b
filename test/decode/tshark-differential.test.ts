/**
 * Differential test against tshark 4.0 on real captures: every TCP frame's
 * (frame number, addresses, ports, raw seq/ack, flags, tcp.len) must match.
 * Inputs: ../shared/conformance (zeek, suricata-verify, wireshark-notes; pcapng
 * converted with editcap) and our own SLL/SLL2 recordings (fixtures/README.md).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DecodeAnomaly } from '../../src/decode/types.js';
import { asPcap, compareRows, decoderRows, tsharkRows, type Disagreement } from './helpers/tshark-oracle.js';

const ROOT = '/work/shared/conformance';
const DIRS = ['zeek', 'suricata-verify', 'wireshark-notes'];
const FIXTURES = join(import.meta.dirname, 'fixtures');

function hasTshark(): boolean {
  try {
    execFileSync('tshark', ['-v'], { stdio: 'ignore' });
    execFileSync('editcap', ['-h'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const captures = (dir: string, exts: string[]): string[] =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => exts.some((e) => f.endsWith(e)))
        .map((f) => join(dir, f))
    : [];

const conformanceFiles = DIRS.flatMap((d) => captures(join(ROOT, d), ['.pcap', '.pcapng']));
const fixtureFiles = captures(FIXTURES, ['.pcap']);

describe.skipIf(!hasTshark() || conformanceFiles.length === 0)('decoder agrees with tshark', () => {
  it('on every TCP frame of the conformance captures and our SLL/SLL2 recordings', { timeout: 600_000 }, async () => {
    const disagreements: { file: string; d: Disagreement }[] = [];
    const frames = new Map<string, number>();
    const anomalies = new Map<string, DecodeAnomaly[]>();
    const queue = [...conformanceFiles, ...fixtureFiles];
    // tshark start-up dominates; run a few at once.
    const workers = Array.from({ length: 8 }, async () => {
      for (let f = queue.shift(); f !== undefined; f = queue.shift()) {
        const pcap = await asPcap(f);
        const theirs = await tsharkRows(pcap);
        const ours = decoderRows(pcap);
        frames.set(f, theirs.length);
        anomalies.set(f, ours.anomalies);
        for (const d of compareRows(ours.rows, theirs)) disagreements.push({ file: f, d });
      }
    });
    await Promise.all(workers);
    const total = [...frames.values()].reduce((a, b) => a + b, 0);
    console.log(`tshark differential: ${frames.size} files, ${total} TCP frames compared, ${disagreements.length} disagreements`);
    for (const x of disagreements.slice(0, 20)) console.log(x.file, JSON.stringify(x.d));
    expect(disagreements).toEqual([]);
    expect(total).toBeGreaterThan(9000);
    expect(fixtureFiles.reduce((n, f) => n + (frames.get(f) ?? 0), 0)).toBe(60); // 30 SLL2 + 30 SLL, all TCP
    // A 68-byte snap length cut the SYN's options: tshark shows the segment, and so do we, with the anomaly.
    const truncated = anomalies.get(join(ROOT, 'zeek/tcp-truncated-header.pcap')) ?? [];
    expect(truncated.map((a) => [a.kind, a.frame])).toContainEqual(['tcp-truncated-header', 1]);
  });
});
