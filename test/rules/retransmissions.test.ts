import { join } from 'node:path';
import rule from '../../src/rules/catalog/retransmissions.js';
import type { Rule } from '../../src/rules/index.js';
import { CONFORMANCE } from '../helpers/corpus.js';
import { ruleTester } from '../helpers/rule-tester.js';

// HalfStats counts retransmissions and zero windows without frame numbers: the evidence
// has no frame ([0,0]); data.filter is the display filter that shows them.
/** A DATA body in `writes` writes of 3000 octets (6 segments each at MSS 536); the first `lost` of them have a segment retransmitted. */
const body = (port: number, writes: number, lost: number) => {
  const parts: string[] = [];
  for (let i = 0; i < writes; i++) parts.push(...(i < lost ? ['@retransmit 2'] : []), 'C: <text 3000>', '@flush');
  return [
    `@client 10.0.0.5:${port}`, '@server 10.0.0.25:25', 'S: 220 mx.example.com ESMTP', 'C: EHLO c.example.com', 'S: 250 mx.example.com',
    'C: MAIL FROM:<a@example.net>', 'S: 250 Ok', 'C: RCPT TO:<b@example.com>', 'S: 250 Ok', 'C: DATA', 'S: 354 go ahead',
    '@mss 536', 'C: Subject: x', 'C: ', '@flush', ...parts, 'C: .', 'S: 250 queued', 'C: QUIT', 'S: 221 Bye', '@close',
  ].join('\n');
};

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'loopback session without loss or stalls', capture: 'captures/real/postfix-plain.pcap' },
    { name: 'one retransmitted segment among ~50 data segments stays under 5 %', script: body(40500, 8, 1) },
  ],
  invalid: [
    {
      name: 'Postfix on loopback: the server advertises a zero window 7 times during a 1 MB DATA (real; tshark tcp.analysis.zero_window agrees)',
      capture: 'captures/real/postfix-1mb.pcap',
      findings: [{ frames: [0, 0], data: { zeroWindows: 7, zeroWindowsFromServer: 7, filter: 'tcp.stream eq 0 && (tcp.analysis.zero_window)' }, evidence: ['zero-window segments'] }],
    },
    {
      name: 'suricata-verify smtp-long-DATA-line: 3 of 30 data segments retransmitted (10 %)',
      capture: join(CONFORMANCE, 'suricata-verify/smtp-long-DATA-line.pcap'),
      findings: [{ data: { retransmissions: 3, dataSegments: 30, percent: 10 } }],
    },
    {
      name: 'four retransmitted DATA segments among ~50 (above 5 %)',
      script: body(40501, 8, 4),
      findings: [{ frames: [0, 0], data: { retransmissions: 4, zeroWindows: 0 }, evidence: ['retransmitted segments: client 4, server 0'] }],
    },
  ],
});
