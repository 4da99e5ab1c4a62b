import rule from '../../src/rules/catalog/8bit-without-8bitmime.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';

const dialogue = (port: number, ehlo: string[], mail: string) => [
  `@client 10.0.0.5:${port}`, '@server 10.0.0.25:25', 'S: 220 mx.example.com ESMTP', 'C: EHLO c.example.com', ...ehlo,
  `C: ${mail}`, 'S: 250 Ok', 'C: RCPT TO:<b@example.com>', 'S: 250 Ok', 'C: DATA', 'S: 354 go ahead',
  'C~: Subject: caf\\xc3\\xa9\\r\\n\\r\\nDer B\\xc3\\xa4r\\r\\n.\\r\\n', 'S: 250 queued', 'C: QUIT', 'S: 221 Bye', '@close',
].join('\n');

// BDAT (RFC 3030 §2, §3; RFC 6152 §3): chunking does not declare the content; without
// BODY=8BITMIME/BINARYMIME the body is 7-bit by declaration, so 8-bit chunks are the same finding.
const bdat = (port: number, ehlo: string[], mail: string) => [
  `@client 10.0.0.5:${port}`, '@server 10.0.0.25:25', 'S: 220 mx.example.com ESMTP', 'C: EHLO c.example.com', ...ehlo,
  `C: ${mail}`, 'S: 250 Ok', 'C: RCPT TO:<b@example.com>', 'S: 250 Ok',
  'C: BDAT 14', 'C~: Subject: x\\r\\n\\r\\n', 'S: 250 chunk', 'C: BDAT 9 LAST', 'C~: B\\xc3\\xa4r ok\\r\\n', 'S: 250 queued', 'C: QUIT', 'S: 221 Bye', '@close',
].join('\n');

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: '7-bit message', capture: 'captures/real/postfix-plain.pcap' },
    { name: 'BODY=8BITMIME requested and advertised', script: dialogue(40900, ['S: 250-mx.example.com', 'S: 250 8BITMIME'], 'MAIL FROM:<a@example.net> BODY=8BITMIME') },
    { name: 'SMTPUTF8 requested and advertised (RFC 6531)', script: dialogue(40901, ['S: 250-mx.example.com', 'S: 250-8BITMIME', 'S: 250 SMTPUTF8'], 'MAIL FROM:<a@example.net> SMTPUTF8') },
    { name: 'capture began after EHLO: advertisement unknown', capture: 'captures/real/postfix-midstream.pcap' },
    { name: 'BDAT with BODY=8BITMIME requested and advertised', script: bdat(40910, ['S: 250-mx.example.com', 'S: 250-CHUNKING', 'S: 250 8BITMIME'], 'MAIL FROM:<a@example.net> BODY=8BITMIME') },
    { name: 'BDAT with BODY=BINARYMIME requested and advertised (RFC 3030 §3)', script: bdat(40911, ['S: 250-mx.example.com', 'S: 250-CHUNKING', 'S: 250 BINARYMIME'], 'MAIL FROM:<a@example.net> BODY=BINARYMIME') },
    { name: '7-bit BDAT message (real Postfix)', capture: 'captures/real/postfix-bdat-crlfdotcrlf.pcap' },
  ],
  invalid: [
    {
      name: 'server does not advertise 8BITMIME',
      dialogue: 'dialogues/rules/8bit-without-8bitmime-not-advertised.smtp',
      findings: [{ frames: [10, 22], data: { why: 'the server did not advertise 8BITMIME', advertised8bitmime: false, frame: 22 }, evidence: ['MAIL FROM:<alice@example.org>', 'DATA', 'octets above 127'] }],
    },
    {
      name: '8BITMIME advertised but MAIL did not declare BODY=8BITMIME',
      script: dialogue(40902, ['S: 250-mx.example.com', 'S: 250 8BITMIME'], 'MAIL FROM:<a@example.net>'),
      findings: [{ data: { why: 'MAIL FROM did not declare BODY=8BITMIME', advertised8bitmime: true, body: null } }],
    },
    {
      name: 'BODY=8BITMIME declared to a server that did not advertise it',
      script: dialogue(40903, ['S: 250 mx.example.com'], 'MAIL FROM:<a@example.net> BODY=8BITMIME'),
      findings: [{ data: { why: 'the server did not advertise 8BITMIME', body: '8BITMIME' } }],
    },
    {
      name: 'suricata-verify smtp-to-comma: Latin-1 body without BODY=8BITMIME',
      capture: '../../shared/conformance/suricata-verify/smtp-to-comma.pcap',
      findings: [{ frames: [14, 18], data: { frame: 18, via: 'DATA' } }],
    },
    {
      name: 'zeek bdat-nonascii: 8-bit attachment in a BDAT chunk, no BODY= and no 8BITMIME advertised',
      capture: '../../shared/conformance/zeek/bdat-nonascii.pcap',
      findings: [{ frames: [8, 13], data: { via: 'BDAT', why: 'the server did not advertise 8BITMIME', frame: 13, segments: 1, body: null }, evidence: ['MAIL FROM:sender@localhost', 'BDAT 604', 'BDAT chunks carry octets above 127'] }],
    },
    {
      name: 'BDAT: 8BITMIME advertised but MAIL did not declare BODY=8BITMIME (8-bit in the LAST chunk only)',
      script: bdat(40912, ['S: 250-mx.example.com', 'S: 250-CHUNKING', 'S: 250 8BITMIME'], 'MAIL FROM:<a@example.net>'),
      findings: [{ data: { via: 'BDAT', why: 'MAIL FROM did not declare BODY=8BITMIME', segments: 1, advertised8bitmime: true }, evidence: ['MAIL FROM:<a@example.net>', 'BDAT 9 LAST', 'octets above 127'] }],
    },
  ],
});
