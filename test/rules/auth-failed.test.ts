import rule from '../../src/rules/catalog/auth-failed.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';
import { describe } from 'vitest';
import { GUESSES, REAL_AUTH_CAPTURES, itLeaksNoPassword } from './auth-helpers.js';

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'AUTH PLAIN accepted 235', capture: 'captures/real/smtp-server-auth-plain.pcap' },
    { name: 'AUTH LOGIN accepted 235', capture: 'captures/real/smtp-server-auth-login.pcap' },
    { name: 'cancelled with "*" and answered 501: a cancel, not a failed login', dialogue: 'dialogues/rules/auth-failed-cancelled.smtp' },
    {
      name: 'mechanism not offered (504): a protocol refusal, no credentials were checked',
      script: [
        '@client 192.0.2.34:40104', '@server 198.51.100.25:25',
        'S: 220 mx.example.net ESMTP', 'C: EHLO laptop.example.org', 'S: 250-mx.example.net', 'S: 250 AUTH PLAIN',
        'C: AUTH GSSAPI', 'S: 504 5.5.4 Unrecognized authentication type', 'C: QUIT', 'S: 221 Bye', '@close',
      ].join('\n'),
    },
  ],
  invalid: [
    {
      name: 'AUTH PLAIN bad password (swaks → smtp-server, 535)',
      capture: 'captures/real/smtp-server-auth-plain-535.pcap',
      findings: [{ frames: [9, 10], data: { mechanism: 'PLAIN', user: 'alice', code: 535, text: 'Authentication credentials invalid' }, evidence: ['AUTH PLAIN <credentials: 28 bytes>', '535 Authentication credentials invalid'] }],
    },
    {
      name: 'AUTH LOGIN bad password (535 after the password answer)',
      capture: 'captures/real/smtp-server-auth-login-535.pcap',
      findings: [{ frames: [9, 14], data: { mechanism: 'LOGIN', user: 'alice', code: 535 }, evidence: ['AUTH LOGIN', '535'] }],
    },
    {
      name: '454 4.7.0 temporary failure (SASL back end down)',
      dialogue: 'dialogues/rules/auth-failed-454.smtp',
      findings: [{ data: { mechanism: 'PLAIN', user: 'carol', code: 454, enhanced: '4.7.0' }, evidence: ['AUTH PLAIN <credentials:', '454 4.7.0 Temporary authentication failure'] }],
      absent: ['temporary-failure'],
    },
    {
      name: 'each failed exchange of a session is one finding',
      dialogue: 'dialogues/rules/auth-brute-force-one-session.smtp',
      findings: [1, 2, 3, 4, 5].map(() => ({ data: { mechanism: 'LOGIN', user: 'admin', code: 535, enhanced: '5.7.8' } })),
    },
  ],
});

describe('auth-failed never shows a password', () => {
  for (const { capture, cred } of REAL_AUTH_CAPTURES.filter((c) => c.capture.includes('535'))) itLeaksNoPassword(capture, { name: capture, capture }, [cred]);
  itLeaksNoPassword('454 after AUTH PLAIN', { name: '454', dialogue: 'dialogues/rules/auth-failed-454.smtp' }, [{ user: 'carol', password: GUESSES[0]! }]);
});
