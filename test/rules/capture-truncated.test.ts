import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
