import rule from '../../src/rules/catalog/smtp-smuggling.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';

const head = [
  '@client 10.0.0.5:40600', '@server 10.0.0.25:25', 'S: 220 mx.example.com ESMTP', 'C: EHLO c.example.com', 'S: 250-mx.example.com', 'S: 250 CHUNKING',
  'C: MAIL FROM:<a@example.net>', 'S: 250 Ok', 'C: RCPT TO:<b@example.com>', 'S: 250 Ok',
];

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'ordinary message', capture: 'captures/real/postfix-plain.pcap' },
    {
      name: 'dot-stuffed lines (RFC 5321 §4.5.2) are not look-alikes',
      script: [...head, 'C: DATA', 'S: 354 go ahead', 'C: Subject: dots', 'C: ', 'C: ..leading dot', 'C: ..', 'C: .. and more', 'C: .', 'S: 250 queued', 'C: QUIT', 'S: 221 Bye', '@close'].join('\n'),
    },
    { name: 'CRLF.CRLF inside a BDAT chunk is data (RFC 3030, real Postfix)', capture: 'captures/real/postfix-bdat-crlfdotcrlf.pcap' },
    {
      name: 'LF.LF inside a BDAT chunk is data, not an end of data',
      script: [...head, 'C: BDAT 29 LAST', 'C~: Subject: x\\r\\n\\r\\nline\\n.\\nsecond\\r\\n', 'S: 250 queued', 'C: QUIT', 'S: 221 Bye', '@close'].join('\n'),
    },
  ],
  invalid: [
    {
      name: 'LF.LF followed by a second envelope (CVE-2023-51764 probe)',
      capture: 'captures/smtp/smtp-smuggling.pcap',
      findings: [{ frames: [18, 24], data: { count: 1, kinds: 'LF.LF', offset: 85, code: 250, acceptedAsEnd: false, terminator: null }, evidence: ['DATA', 'end-of-data look-alike LF.LF at body offset 85', '250 2.0.0 Ok'] }],
      absent: ['bare-lf'],
    },
    {
      name: 'suricata-verify smtp-url-base64: the server answered 250 queued right after <LF>.<LF> (it accepted the look-alike as the end of data)',
      capture: '../../shared/conformance/suricata-verify/smtp-url-base64.pcap',
      findings: [{ data: { count: 1, kinds: 'LF.LF', terminator: 'LF.LF', acceptedAsEnd: true, code: 250 }, evidence: ['DATA', 'end-of-data look-alike LF.LF', '250 +OK message queued'] }],
    },
    {
      name: 'server ends the data at <LF>.<LF>, then reads the smuggled envelope as commands',
      script: [...head, 'C: DATA', 'S: 354 go ahead', 'C~: Subject: x\\r\\n\\r\\nhello\\n.\\n', 'S: 250 2.0.0 queued as A1', 'C: MAIL FROM:<ceo@example.com>', 'S: 250 Ok', 'C: QUIT', 'S: 221 Bye', '@close'].join('\n'),
      findings: [{ data: { count: 1, kinds: 'LF.LF', terminator: 'LF.LF', acceptedAsEnd: true, code: 250 }, evidence: ['DATA', 'LF.LF', '250 2.0.0 queued as A1'] }],
    },
    {
      name: 'CR.CRLF and CRLF.CR look-alikes, server refuses the message',
      script: [...head, 'C: DATA', 'S: 354 go ahead', 'C~: Subject: x\\r\\n\\r\\none\\r.\\r\\ntwo\\r\\n.\\rthree\\r\\n.\\r\\n', 'S: 554 5.7.1 bare CR not allowed', 'C: QUIT', 'S: 221 Bye', '@close'].join('\n'),
      findings: [{ data: { count: 2, kinds: 'CR.CRLF, CRLF.CR', code: 554 }, evidence: ['DATA', 'CR.CRLF', 'CRLF.CR', '554 5.7.1'] }],
    },
  ],
});
