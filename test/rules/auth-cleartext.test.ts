import rule from '../../src/rules/catalog/auth-cleartext.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';
import { describe } from 'vitest';
import { GUESSES, REAL_AUTH_CAPTURES, itLeaksNoPassword } from './auth-helpers.js';

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'AUTH after a completed STARTTLS travels inside TLS (opaque)', dialogue: 'dialogues/rules/auth-cleartext-after-starttls.smtp' },
    { name: 'STARTTLS session from the zeek corpus', capture: '../../shared/conformance/zeek/starttls.pcap' },
    { name: 'CRAM-MD5 in clear sends a digest, not the password', dialogue: 'dialogues/rules/auth-cleartext-cram-md5.smtp' },
    { name: 'AUTH LOGIN cancelled after the user name: no password sent', dialogue: 'dialogues/rules/auth-failed-cancelled.smtp' },
    { name: 'no AUTH at all', capture: 'captures/real/postfix-plain.pcap' },
  ],
  invalid: [
    {
      name: 'AUTH PLAIN without TLS (swaks → smtp-server)',
      capture: 'captures/real/smtp-server-auth-plain.pcap',
      findings: [{ frames: [9, 10], data: { mechanism: 'PLAIN', user: 'alice', code: 235 }, evidence: ['AUTH PLAIN <credentials: 32 bytes>', '235 Authentication successful'] }],
    },
    {
      name: 'AUTH PLAIN refused 535: the password crossed in clear all the same',
      capture: 'captures/real/smtp-server-auth-plain-535.pcap',
      findings: [{ frames: [9, 10], data: { mechanism: 'PLAIN', user: 'alice', code: 535 } }],
    },
    {
      name: 'AUTH LOGIN without TLS: user and password answers are evidence, masked',
      capture: 'captures/real/smtp-server-auth-login.pcap',
      findings: [{ frames: [9, 14], data: { mechanism: 'LOGIN', user: 'alice', code: 235 }, evidence: ['AUTH LOGIN', '<auth-response>', '<auth-response>', '235'] }],
    },
    {
      name: 'AUTH LOGIN refused 535',
      capture: 'captures/real/smtp-server-auth-login-535.pcap',
      findings: [{ frames: [9, 14], data: { mechanism: 'LOGIN', user: 'alice', code: 535 } }],
    },
    {
      name: 'Exim AUTH LOGIN from the zeek corpus (basic.pcap)',
      capture: '../../shared/conformance/zeek/basic.pcap',
      findings: [{ frames: [10, 15], session: 1, data: { mechanism: 'LOGIN', user: 'gurpartap@patriots.in', code: 235 } }],
    },
    {
      name: 'five attempts in one session: one finding per session',
      dialogue: 'dialogues/rules/auth-brute-force-one-session.smtp',
      findings: [{ data: { mechanism: 'LOGIN', user: 'admin', code: 535 }, evidence: ['AUTH LOGIN', '535 5.7.8'] }],
    },
  ],
});

describe('auth-cleartext never shows a password', () => {
  for (const { capture, cred } of REAL_AUTH_CAPTURES) itLeaksNoPassword(capture, { name: capture, capture }, [cred]);
  itLeaksNoPassword('five LOGIN guesses', { name: 'guesses', dialogue: 'dialogues/rules/auth-brute-force-one-session.smtp' }, GUESSES.map((password) => ({ user: 'admin', password })));
});
