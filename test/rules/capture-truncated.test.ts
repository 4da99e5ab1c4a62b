import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CaptureDrops, PacketCallback } from '../../src/capture/types.js';
import { inspectSource } from '../../src/index.js';
import { fileSource } from '../../src/pipeline.js';
import { renderHtml } from '../../src/report/html.js';
import { renderJson } from '../../src/report/json.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import type { ReportModel } from '../../src/report/model.js';
import { renderTable } from '../../src/report/table.js';
import rule from '../../src/rules/catalog/capture-truncated.js';
import type { Rule } from '../../src/rules/index.js';
import { CONFORMANCE, FIXTURES } from '../helpers/corpus.js';
import { ruleTester } from '../helpers/rule-tester.js';

// A file cut in the middle of a packet record: the first 1000 octets of a real capture
// (record 9 starts at offset 922 and is 113 octets long, so 78 of them remain).
const cutDir = mkdtempSync(join(tmpdir(), 'smtpscope-cut-'));
const cut = join(cutDir, 'postfix-plain-cut.pcap');
writeFileSync(cut, readFileSync(join(FIXTURES, 'captures/real/postfix-plain.pcap')).subarray(0, 1000));

// Truncation has no frame of its own in CaptureSummary: findings carry frames [0,0] and no filter.
ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'complete capture at full snap length', capture: 'captures/real/postfix-plain.pcap' },
    { name: 'gap from packets the capture missed is not truncation (tcp-gap)', capture: 'captures/smtp/capture-gap.pcap' },
  ],
  invalid: [
    {
      name: 'captured with snap length 96',
      dialogue: 'dialogues/rules/capture-truncated-snaplen.smtp',
      findings: [{ frames: [0, 0], session: null, data: { truncatedPackets: 2, packets: 33, damage: null }, evidence: ['2 packets shorter than on the wire'] }],
    },
    {
      name: 'file ends in the middle of a packet record',
      capture: cut,
      findings: [{ frames: [0, 0], data: { truncatedPackets: 0, damageOffset: 922, damageBlock: 'packet record 9' }, evidence: ['packet record 9 at offset 922'] }],
    },
    {
      name: 'suricata-verify smtp-to-comma: damaged record 19 (absurd captured length)',
      capture: join(CONFORMANCE, 'suricata-verify/smtp-to-comma.pcap'),
      findings: [{ frames: [0, 0], data: { damageOffset: 3695, damageBlock: 'packet record 19' }, evidence: ['claims 3925868813 captured bytes'] }],
    },
  ],
});

/**
 * A live capture's losses. Only `live` fills CaptureSummary.drops (test/live/replay.test.ts
 * makes the kernel drop for real, as root); here the same packets as a file, summarized
 * as a live source would be, so that the rule and every report format can be checked
 * without root.
 */
describe('live capture drops (CaptureSummary.drops)', () => {
  const capture = join(FIXTURES, 'captures/real/postfix-plain.pcap');
  const liveLike = (drops: CaptureDrops | null) => async (onPacket: PacketCallback) => {
    const summaries = await fileSource([capture])(onPacket);
    return summaries.map((s) => ({ ...s, file: 'lo', drops }));
  };
  const run = async (drops: CaptureDrops | null) => (await inspectSource(liveLike(drops), {}, false)).model;
  const truncated = (m: ReportModel) => m.findings.filter((f) => f.rule === 'capture-truncated');

  it('no finding when the kernel dropped nothing, or for a file', async () => {
    expect(truncated(await run({ kernel: 0, interface: 0, unavailable: null }))).toEqual([]);
    expect(truncated(await run(null))).toEqual([]);
  });

  it('no finding when the count is unknown (never a guess), but every report says it is unknown', async () => {
    const m = await run({ kernel: null, interface: null, unavailable: 'the smtpscope-packet-socket addon is not built' });
    expect(truncated(m)).toEqual([]);
    expect(renderTable(m)).toContain('kernel drops unknown: the smtpscope-packet-socket addon is not built');
  });

  it('kernel and interface drops: one finding with both counts, and a note in every format', async () => {
    const m = await run({ kernel: 2500, interface: 3, unavailable: null });
    const [f, ...more] = truncated(m);
    expect(more).toEqual([]);
    expect(f).toMatchObject({ severity: 'warning', session: null, frames: [0, 0] });
    expect(f!.summary).toBe('Capture lo is incomplete: 2500 packets dropped by the kernel (capture buffer full); 3 packets lost by the interface');
    expect(f!.evidence.map((e) => e.line)).toEqual(['2500 packets matched the filter but were dropped by the kernel', '3 packets lost by the interface while capturing']);
    expect(f!.advice).toContain('--buffer-size');
    expect(JSON.parse(renderJson(m)).inputs[0].drops).toEqual({ kernel: 2500, interface: 3, unavailable: null });
    const note = '2500 packets dropped by the kernel (capture buffer full): findings may be missing';
    expect(renderTable(m, { width: 200 })).toContain(note);
    expect(renderMarkdown(m)).toContain(`  - ${note}`);
    expect(renderHtml(m, {})).toContain(note);
  });
});
