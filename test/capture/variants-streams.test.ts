/**
 * Issue 2: the same SMTP session saved as pcap µs/ns in both byte orders, pcapng, NetMon 2.x,
 * SLL, SLL2, VLAN, QinQ, raw IP, null/loopback and IPv6 yields identical streams and the
 * same SMTP dialogue through OUR pipeline. The variants were made both by independent
 * tools (editcap, tcprewrite, tcpdump -y) and by our writer (fixtures/README.md), so a
 * writer bug cannot hide a reader bug.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../src/pipeline.js';
import { DEFAULT_PORTS } from '../../src/ports.js';
import { dialogueOf } from '../../src/smtp/index.js';
import { FIXTURES } from '../helpers/corpus.js';

const SOURCE = join(FIXTURES, 'captures/real/postfix-plain.pcap');
const DIR = join(FIXTURES, 'captures/variants');

async function streams(file: string) {
  const bytes = { c2s: [] as Buffer[], s2c: [] as Buffer[] };
  let gaps = 0;
  const r = await runPipeline([file], {
    ports: DEFAULT_PORTS,
    registry: [],
    onStreamEvent: (ev) => {
      if (ev.type === 'data') bytes[ev.dir].push(Buffer.from(ev.bytes));
      if (ev.type === 'gap') gaps++;
    },
  });
  const d = r.sessions.map((s) => dialogueOf(s));
  return {
    c2s: Buffer.concat(bytes.c2s),
    s2c: Buffer.concat(bytes.s2c),
    gaps,
    sessions: r.sessions.length,
    commands: d.flatMap((x) => x.commands.map(([v]) => v)),
    codes: d.flatMap((x) => x.replies.map(([c]) => c)),
    frames: r.inputs[0]!.packets,
    linkTypes: r.inputs[0]!.linkTypes,
    format: r.inputs[0]!.format,
  };
}

/** Independent recordings of the same swaks run: same envelope, other Date and queue id. */
const RERECORDED = /tcpdump-any-sll2?\.pcap$/;

describe('every variant of one session gives the same streams', async () => {
  const ref = await streams(SOURCE);
  const files = readdirSync(DIR).filter((f) => /\.(pcap|pcapng|cap)$/.test(f)).sort();

  it('covers the formats and link types the issue names', () => {
    const names = files.join(' ');
    for (const want of ['netmon2', 'pcapng', 'ns', 'be', 'sll2', 'sll', 'vlan', 'qinq', 'ipv6', 'raw', 'null']) expect(names).toContain(want);
    expect(ref.c2s.length).toBeGreaterThan(300);
    expect(ref.gaps).toBe(0);
  });

  for (const f of files) {
    it(f, async () => {
      const v = await streams(join(DIR, f));
      expect(v.sessions).toBe(1);
      expect(v.gaps).toBe(0);
      expect(v.commands).toEqual(ref.commands);
      expect(v.codes).toEqual(ref.codes);
      if (RERECORDED.test(f)) {
        // A new recording: the client's envelope up to DATA is byte-identical.
        const envelope = (b: Buffer) => b.toString('latin1').split('DATA\r\n')[0];
        expect(envelope(v.c2s)).toBe(envelope(ref.c2s));
      } else {
        expect(v.frames).toBe(ref.frames);
        expect(v.c2s.equals(ref.c2s)).toBe(true);
        expect(v.s2c.equals(ref.s2c)).toBe(true);
      }
    });
  }
});
