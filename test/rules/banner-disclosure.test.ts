import { describe, expect, it } from 'vitest';
import rule, { announcedHost, bannerSoftware, internalKind } from '../../src/rules/catalog/banner-disclosure.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: '"220 localhost dummy SMTP service": localhost names no host (near miss, zeek bdat-nonascii)', capture: '/work/shared/conformance/zeek/bdat-nonascii.pcap' },
    { name: 'banner masked by a Cisco ASA: nothing disclosed', capture: 'captures/mission/asa-masked.pcap' },
    { name: 'public name, software without version ("mx.test.example ESMTP Postfix")', capture: 'captures/real/postfix-plain.pcap' },
    { name: 'a 554 refusal is not a banner', dialogue: 'dialogues/rules/greeting-refused-554.smtp' },
  ],
  invalid: [
    {
      name: 'Exchange default banner with an internal .local name (ForeFront case)',
      capture: 'captures/mission/x-anonymoustls-500.pcap',
      findings: [{
        frames: [4, 4],
        data: { host: 'HUB01.domain.local', hostKind: 'internal' },
        evidence: ['220 HUB01.domain.local Microsoft ESMTP MAIL Service ready at'],
      }],
    },
    {
      name: 'Exchange 2013 "Microsoft ESMTP MAIL Service ready at" banner (seed 001 relay case)',
      capture: 'captures/mission/relay-denied.pcap',
      findings: [{ data: { hostKind: null, host: null } }],
    },
    {
      name: 'single-label host and Exim version, greeting seen after a gap (wireshark-notes)',
      capture: '../../shared/conformance/wireshark-notes/smtp-ssl.pcapng',
      findings: [{ frames: [4, 4], data: { host: 'ubuntu', hostKind: 'single-label', software: 'Exim 4.82' } }],
    },
    {
      name: 'IIS SMTP (Exchange 2003) with its version number',
      capture: 'captures/mission/xexch50-blob-dropped.pcap',
      findings: [{ data: { software: 'Microsoft SMTP Service 6.0.3790.3959' } }],
    },
  ],
});

describe('banner helpers', () => {
  it.each([
    ['HUB01.domain.local Microsoft ESMTP MAIL Service ready at Fri', 'HUB01.domain.local'],
    ['mx.example.com ESMTP Postfix', 'mx.example.com'],
    ['ESMTP ready', null],
    ['******************************', null],
    ['[192.0.2.1] ESMTP', null],
    ['192.0.2.1 ESMTP', null],
    ['mail.example.com. ESMTP', 'mail.example.com'],
  ])('announcedHost(%j) = %j', (line, want) => {
    expect(announcedHost(line)).toBe(want);
  });
  it.each([
    ['ex01.corp', 'internal'],
    ['srv.contoso.lan', 'internal'],
    ['mx.example.internal', 'internal'],
    ['ubuntu', 'single-label'],
    ['mx.example.com', null],
    ['localhost', null],
    ['localhost.localdomain', null],
    ['mx.localdomain', 'internal'],
  ])('internalKind(%s) = %s', (host, want) => {
    expect(internalKind(host)).toBe(want);
  });
  it.each([
    ['mx ESMTP Sendmail 8.14.9/8.12.11; Mon, 1 Jan', 'Sendmail 8.14.9/8.12.11'],
    ['mx ESMTP Exim Fri, 30 Jan 2015 12:31:43 +0100', null],
    ['mx ESMTP Postfix (Ubuntu)', null],
    ['mx ESMTP at [192.0.2.1] ready', null],
  ])('bannerSoftware(%j) = %j', (text, want) => {
    expect(bannerSoftware(text)).toBe(want);
  });
});
