import rule from '../../src/rules/catalog/no-greeting.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'greeting arrived', capture: 'captures/real/postfix-plain.pcap' },
    { name: 'greeting arrived late, after the client talked (early talker)', capture: 'captures/smtp/early-talker.pcap' },
    { name: 'implicit TLS: the greeting comes inside TLS', capture: '../../shared/conformance/suricata-verify/smtp-tls-protodetect.pcap' },
    {
      name: 'capture stopped 2 s after the connection: the greeting may still come',
      script: ['@client 192.0.2.50:42001', '@server 198.51.100.25:25', '@+2s', 'C: QUIT'].join('\n'),
    },
    { name: 'SYN answered by RST: never established (connection-refused)', capture: 'captures/real/kernel-syn-rst-25.pcap' },
  ],
  invalid: [
    {
      name: 'connection accepted, no greeting in 60 s, client gives up',
      dialogue: 'dialogues/rules/no-greeting-hung-service.smtp',
      findings: [{ frames: [1, 6], data: { waited: 60, closedBy: 'client', reason: 'fin', clientSentBytes: 0 }, evidence: ['client opened the TCP connection', 'without a greeting'] }],
      absent: ['session-aborted', 'greeting-refused'],
    },
    {
      name: 'server closes at once without a greeting; the client\'s QUIT meets a RST (suricata-verify)',
      capture: '../../shared/conformance/suricata-verify/smtp-quit.pcap',
      findings: [{ frames: [1, 7], data: { closedBy: 'server', reason: 'rst' } }],
    },
    {
      name: 'client gives up with QUIT after 45 s, capture ends with no greeting (over greeting-wait-ms)',
      script: ['@client 192.0.2.50:42002', '@server 198.51.100.25:25', '@+45s', 'C: QUIT'].join('\n'),
      findings: [{ data: { reason: 'capture-end', closedBy: null, clientSentBytes: 6, waited: 45 } }],
    },
  ],
});
