import rule from '../../src/rules/catalog/auth-required.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';
import { describe } from 'vitest';
import { REAL_AUTH_CAPTURES, itLeaksNoPassword } from './auth-helpers.js';

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'authenticated first, then MAIL accepted', capture: 'captures/real/smtp-server-auth-plain.pcap' },
    { name: 'a 535 to AUTH is auth-failed, not auth-required', capture: 'captures/real/smtp-server-auth-login-535.pcap' },
    { name: 'anonymous delivery accepted', capture: 'captures/real/postfix-plain.pcap' },
  ],
  invalid: [
    {
      name: 'Exchange connector without Anonymous users: 530 5.7.1 to MAIL, twice, one finding',
      dialogue: 'dialogues/rules/auth-required-exchange-530.smtp',
      findings: [{ data: { command: 'MAIL', code: 530, enhanced: '5.7.1', text: 'Client was not authenticated', refused: 2 }, evidence: ['MAIL FROM:<app01@corp.example.com>', '530 5.7.1 Client was not authenticated'] }],
      absent: ['sender-rejected'],
    },
    {
      name: 'RFC 3207 §4: 530 5.7.0 Must issue a STARTTLS command first, to AUTH',
      script: [
        '@client 192.0.2.35:40105', '@server 198.51.100.25:587',
        'S: 220 mx.example.net ESMTP', 'C: EHLO laptop.example.org', 'S: 250-mx.example.net', 'S: 250 STARTTLS',
        'C: AUTH LOGIN', 'S: 530 5.7.0 Must issue a STARTTLS command first', 'C: QUIT', 'S: 221 Bye', '@close',
      ].join('\n'),
      findings: [{ data: { command: 'AUTH', code: 530, enhanced: '5.7.0', refused: 1 } }],
      absent: ['auth-failed'],
    },
  ],
});

describe('auth-required never shows a password', () => {
  for (const { capture, cred } of REAL_AUTH_CAPTURES) itLeaksNoPassword(capture, { name: capture, capture }, [cred]);
});
