import rule from '../../src/rules/catalog/open-relay.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';

const ZEEK_BASIC = '../../shared/conformance/zeek/basic.pcap';

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'without --local-domain the rule cannot judge', capture: ZEEK_BASIC },
    { name: 'relay refused (550 5.7.1), not open', capture: 'captures/mission/relay-denied.pcap', options: { localDomains: ['exchangeserverpro.net'] } },
    { name: 'recipients in the local domain', capture: 'captures/real/postfix-multi-rcpt.pcap', options: { localDomains: ['test.example'] } },
    { name: 'a subdomain of a local domain is local', capture: 'captures/real/postfix-multi-rcpt.pcap', options: { localDomains: ['example'] } },
    { name: 'capture began after MAIL: whether the client authenticated is unknown', capture: 'captures/smtp/midstream-after-mail.pcap', options: { localDomains: ['example.com'] } },
    { name: 'authenticated submission to an outside domain', capture: 'captures/real/smtp-server-auth-plain.pcap', options: { localDomains: ['example.com'] } },
  ],
  invalid: [
    {
      name: 'SubEthaSMTP accepts yahoo/hotmail/outlook from an anonymous client (zeek basic.pcap session 2); the AUTH LOGIN session 1 is not',
      capture: ZEEK_BASIC,
      options: { localDomains: ['example.com'] },
      findings: [{
        session: 2,
        frames: [75, 82],
        data: { rcpt: 'ericlim220@yahoo.com', domain: 'yahoo.com', client: '192.168.133.100', code: 250, accepted: 3, domains: 'yahoo.com, hotmail.com, outlook.com' },
        evidence: ['RCPT TO:<ericlim220@yahoo.com>', '250 Ok', 'RCPT TO:<felica4uu@hotmail.com>', '250 Ok', 'RCPT TO:<davis_mark1@outlook.com>', '250 Ok'],
      }],
    },
    {
      name: 'one external among local recipients',
      script: [
        '@client 192.0.2.70:40030', '@server 198.51.100.25:25',
        'S: 220 mx.example.com ESMTP', 'C: EHLO spambot', 'S: 250 mx.example.com',
        'C: MAIL FROM:<x@spam.example>', 'S: 250 2.1.0 Ok',
        'C: RCPT TO:<alice@example.com>', 'S: 250 2.1.5 Ok',
        'C: RCPT TO:<victim@elsewhere.example>', 'S: 251 2.1.5 User not local; will forward',
        'C: QUIT', 'S: 221 Bye', '@close',
      ].join('\n'),
      options: { localDomains: ['example.com'] },
      findings: [{ data: { rcpt: 'victim@elsewhere.example', code: 251, accepted: 1 }, evidence: ['RCPT TO:<victim@elsewhere.example>', '251'] }],
    },
  ],
});
