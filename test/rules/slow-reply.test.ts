import rule from '../../src/rules/catalog/slow-reply.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'tarpit delays of 5 s are under slow-reply-ms', capture: 'captures/smtp/tarpit.pcap' },
    { name: 'ordinary transaction', capture: 'captures/real/postfix-plain.pcap' },
    {
      name: '45 s RCPT reply with slow-reply-ms raised to 60 s stays under the 5-minute RFC timeout',
      dialogue: 'dialogues/rules/slow-reply-rcpt-45s.smtp',
      options: { thresholds: { 'slow-reply-ms': 60_000 } },
    },
    { name: 'BLOB acknowledged late: reported once, as xexch50-blob-dropped', dialogue: 'dialogues/rules/xexch50-blob-dropped-late-ack.smtp' },
  ],
  invalid: [
    {
      name: 'RCPT answered after 45 s (over slow-reply-ms, under the RFC timeout)',
      dialogue: 'dialogues/rules/slow-reply-rcpt-45s.smtp',
      findings: [{ frames: [14, 16], data: { count: 1, command: 'RCPT', code: 250, rfcTimeoutMs: 300_000, rfc: '' }, evidence: ['RCPT TO:<b@example.net>', '250 2.1.5 Ok'] }],
    },
    {
      name: '354 to DATA after 150 s: past the 2-minute DATA initiation timeout of RFC 5321 §4.5.3.2.4',
      dialogue: 'dialogues/rules/slow-reply-data-150s.smtp',
      options: { thresholds: { 'slow-reply-ms': 200_000 } },
      findings: [{ frames: [18, 20], data: { command: 'DATA', code: 354, rfcTimeoutMs: 120_000 }, evidence: ['DATA', '354'] }],
    },
  ],
});
