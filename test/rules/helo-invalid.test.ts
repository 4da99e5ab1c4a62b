import { describe, expect, it } from 'vitest';
import rule, { heloProblem } from '../../src/rules/catalog/helo-invalid.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';

const hello = (verb: string, arg: string, port: number): string =>
  [
    `@client 192.0.2.61:${port}`, '@server 198.51.100.25:25',
    'S: 220 mx.example.net ESMTP', `C: ${verb}${arg === '' ? '' : ' ' + arg}`, 'S: 250 mx.example.net',
    'C: QUIT', 'S: 221 Bye', '@close C',
  ].join('\n');

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'fully qualified name', capture: 'captures/real/postfix-plain.pcap' },
    { name: 'bracketed IPv4 address literal', script: hello('EHLO', '[192.0.2.61]', 43100) },
    { name: 'bracketed IPv6 address literal', script: hello('EHLO', '[IPv6:2001:db8::61]', 43101) },
    { name: 'internal but fully qualified name (MBX01.domain.local)', capture: 'captures/mission/x-anonymoustls-500.pcap' },
  ],
  invalid: [
    {
      name: 'IP address without brackets (HELO 10.15.6.146, suricata-verify)',
      capture: '../../shared/conformance/suricata-verify/issue-4220-01-ids-1flowB.pcap',
      findings: [{ data: { verb: 'HELO', arg: '10.15.6.146', problem: 'unbracketed-address' } }],
    },
    {
      name: 'single-label name from a scanner (relay-denied mission capture)',
      capture: 'captures/mission/relay-denied.pcap',
      findings: [{ frames: [6, 8], data: { verb: 'EHLO', arg: 'scanner01', problem: 'not-fqdn', code: 250 }, evidence: ['EHLO scanner01'] }],
    },
    { name: 'empty EHLO', script: hello('EHLO', '', 43102), findings: [{ data: { problem: 'empty', arg: '' } }] },
    { name: 'underscore in the name', script: hello('HELO', 'my_pc.example.org', 43103), findings: [{ data: { problem: 'bad-characters' } }] },
  ],
});

describe('heloProblem (RFC 5321 §4.1.1.1, §2.3.5, §4.1.3)', () => {
  it.each([
    ['client.example.org', null],
    ['client.example.org.', null],
    ['[192.0.2.1]', null],
    ['[IPv6:2001:db8::1]', null],
    ['', 'empty'],
    ['192.0.2.1', 'unbracketed-address'],
    ['2001:db8::1', 'unbracketed-address'],
    ['[192.0.2.1', 'bad-address-literal'],
    ['[mail.example.org]', 'bad-address-literal'],
    ['localhost', 'not-fqdn'],
    ['host.123', 'not-fqdn'],
    ['-bad.example.org', 'bad-characters'],
  ])('%j → %j', (arg, want) => {
    expect(heloProblem(arg)).toBe(want);
  });
});
