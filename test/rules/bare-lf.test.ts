import rule from '../../src/rules/catalog/bare-lf.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'CRLF everywhere', capture: 'captures/real/postfix-plain.pcap' },
    { name: 'binary BLOB bytes after a capture gap are not lines (no claim until resync)', dialogue: 'dialogues/rules/xexch50-blob-dropped-capture-loss.smtp' },
    { name: 'LF.LF in the body is reported as smtp-smuggling, not twice', capture: 'captures/smtp/smtp-smuggling.pcap' },
  ],
  invalid: [
    {
      name: 'script client ends commands and message lines in LF',
      dialogue: 'dialogues/rules/bare-lf-client.smtp',
      findings: [
        { frames: [6, 6], data: { place: 'commands', kind: 'LF', count: 5 }, evidence: ['first command ending in a bare LF: HELO scanner'] },
        { frames: [22, 22], data: { place: 'DATA body', kind: 'LF', count: 3 }, evidence: ['first message line ending in a bare LF'] },
      ],
    },
    {
      name: 'server reply ends in a bare LF',
      script: ['@client 10.0.0.5:40700', '@server 10.0.0.25:25', 'S~: 220 mx.example.com ESMTP\\n', 'C: QUIT', 'S: 221 Bye', '@close'].join('\n'),
      findings: [{ frames: [4, 4], data: { place: 'replies', kind: 'LF', count: 1 }, evidence: ['first reply ending in a bare LF: 220 mx.example.com ESMTP'] }],
    },
    {
      name: 'stray CR inside a BDAT command line (Zeek bdat-chunk-size-overflow)',
      capture: '../../shared/conformance/zeek/bdat-chunk-size-overflow.pcap',
      findings: [{ frames: [16, 16], data: { place: 'commands', kind: 'CR', bareCr: 1 } }],
    },
  ],
});
