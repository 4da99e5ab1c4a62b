import rule from '../../src/rules/catalog/connection-refused.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'ordinary session', capture: 'captures/real/postfix-plain.pcap' },
    { name: 'SYN never answered is not a refusal (connection-unanswered)', capture: 'captures/real/kernel-syn-unanswered-475.pcap' },
    {
      name: 'handshake completed, then the server resets before the greeting',
      script: ['@client 10.0.0.5:40300', '@server 10.0.0.25:25', '@+2s', '@rst S'].join('\n'),
    },
  ],
  invalid: [
    {
      name: 'Linux kernel answers a SYN to closed port 25 with RST (real)',
      capture: 'captures/real/kernel-syn-rst-25.pcap',
      findings: [{ frames: [1, 2], data: { server: '127.0.0.1:25', port: 25 }, evidence: ['SYN', 'RST from 127.0.0.1:25'] }],
      absent: ['no-greeting', 'session-aborted', 'no-quit', 'tcp-gap', 'connection-unanswered'],
    },
  ],
});
