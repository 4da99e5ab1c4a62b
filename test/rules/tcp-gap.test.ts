import { join } from 'node:path';
import rule from '../../src/rules/catalog/tcp-gap.js';
import type { Rule } from '../../src/rules/index.js';
import { CONFORMANCE } from '../helpers/corpus.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'complete stream', capture: 'captures/real/postfix-plain.pcap' },
    { name: 'mid-stream start is not a gap (capture-midstream)', capture: 'captures/real/postfix-midstream.pcap' },
    { name: 'SYN answered by RST: no stream to miss', capture: 'captures/real/kernel-syn-rst-25.pcap' },
    {
      name: 'a segment lost in the network and retransmitted fills its hole',
      script: [
        '@client 10.0.0.5:40400', '@server 10.0.0.25:25', 'S: 220 mx.example.com ESMTP', 'C: EHLO c.example.com', 'S: 250 mx.example.com',
        'C: MAIL FROM:<a@example.net>', 'S: 250 Ok', 'C: RCPT TO:<b@example.com>', 'S: 250 Ok', 'C: DATA', 'S: 354 go ahead',
        '@mss 536', '@retransmit 1', 'C: Subject: x', 'C: ', 'C: <text 1400>', 'C: .', 'S: 250 queued', 'C: QUIT', 'S: 221 Bye', '@close',
      ].join('\n'),
    },
  ],
  invalid: [
    {
      name: 'capture missed the middle DATA segment (536 octets after 536 of the body)',
      capture: 'captures/smtp/capture-gap.pcap',
      findings: [{
        frames: [18, 23],
        data: { direction: 'client-to-server', bytes: 536, gaps: 1, inside: 'data', offset: 536, frame: 23 },
        evidence: ['DATA', '536 octets not captured before this frame, inside the DATA message body after 536 octets'],
      }],
    },
    {
      name: 'Zeek bdat-gap: 1000 octets missing in a 200-octet BDAT chunk after 100 octets',
      capture: join(CONFORMANCE, 'zeek/bdat-gap.pcap'),
      findings: [{
        frames: [18, 26],
        data: { direction: 'client-to-server', bytes: 1000, gaps: 1, inside: 'bdat', offset: 100 },
        evidence: ['BDAT 200', 'inside a BDAT chunk after 100 of its 200 octets'],
      }],
    },
    {
      name: 'server reply segment missed by the capture (server-to-client)',
      script: [
        '@client 10.0.0.5:40401', '@server 10.0.0.25:25', 'S: 220 mx.example.com ESMTP', 'C: EHLO c.example.com',
        '@mss 20', '@drop 1', 'S: 250-mx.example.com greets c.example.com', 'S: 250 8BITMIME',
        'C: QUIT', 'S: 221 Bye', '@close',
      ].join('\n'),
      findings: [{ data: { direction: 'server-to-client', bytes: 20, gaps: 1, inside: 'reply' } }],
    },
  ],
});
