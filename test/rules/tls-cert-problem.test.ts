import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import rule, { certNameMatches } from '../../src/rules/catalog/tls-cert-problem.js';
import type { Rule } from '../../src/rules/index.js';
import { FIXTURES } from '../helpers/corpus.js';
import { ruleTester } from '../helpers/rule-tester.js';

const EXPIRED = 'dialogues/rules/tls-cert-problem-expired.smtp';
/** The same dialogue at another capture date: only the date decides. */
const at = (iso: string): string => readFileSync(resolve(FIXTURES, EXPIRED), 'utf8').replace('@start 2024-06-01T08:00:00Z', `@start ${iso}`);

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'Gmail certificate: valid at capture time, mx.google.com among 20 SAN names (zeek)', capture: '../../shared/conformance/zeek/starttls.pcap' },
    { name: 'TLS 1.3: the certificate is encrypted, nothing to judge (Postfix)', capture: 'captures/real/postfix-starttls.pcap' },
    { name: 'the same certificate inside its validity period (2023-06-01)', script: at('2023-06-01T08:00:00Z') },
  ],
  invalid: [
    {
      name: 'Exim announces "ubuntu", certificate is for mail.example.com (wireshark-notes)',
      capture: '../../shared/conformance/wireshark-notes/smtp-ssl.pcapng',
      findings: [{
        frames: [8, 14],
        data: { host: 'ubuntu', names: 'mail.example.com', nameMismatch: true, expired: false, selfSigned: true, validTo: '2018-01-29' },
        evidence: ['250-ubuntu Hello', 'CN=mail.example.com'],
      }],
    },
    {
      name: 'certificate expired five months before the capture',
      dialogue: EXPIRED,
      findings: [{ frames: [16, 16], data: { expired: true, notYetValid: false, nameMismatch: false, host: 'mx.example.net', validTo: '2024-01-01' }, evidence: ['TLS Certificate: CN=mx.example.net'] }],
    },
    {
      name: 'certificate not yet valid at the capture time (server clock or early deployment)',
      script: at('2022-06-01T08:00:00Z'),
      findings: [{ data: { expired: false, notYetValid: true, validFrom: '2023-01-01' } }],
    },
  ],
});

describe('certNameMatches (RFC 6125 §6.4.3)', () => {
  it.each([
    ['mx.example.net', 'mx.example.net', true],
    ['MX.Example.NET', 'mx.example.net.', true],
    ['*.example.net', 'mx.example.net', true],
    ['*.example.net', 'example.net', false],
    ['*.example.net', 'a.mx.example.net', false],
    ['mail.example.com', 'ubuntu', false],
  ])('%s vs %s → %s', (pattern, host, want) => {
    expect(certNameMatches(pattern, host)).toBe(want);
  });
});
