import rule from '../../src/rules/catalog/connection-unanswered.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'ordinary session (SYN/ACK seen)', capture: 'captures/real/postfix-plain.pcap' },
    { name: 'a RST is an answer (connection-refused)', capture: 'captures/real/kernel-syn-rst-25.pcap' },
    { name: 'capture began mid-stream: no SYN to judge', capture: 'captures/real/postfix-midstream.pcap' },
  ],
  invalid: [
    {
      name: 'SYN to a full listen queue: kernel retransmits the SYN 3 times, no answer (real)',
      capture: 'captures/real/kernel-syn-unanswered-475.pcap',
      findings: [{ frames: [1, 4], data: { server: '127.0.0.1:475', syns: 4, seconds: 3.1 }, evidence: ['SYN', 'last SYN retransmission (4 SYNs in all)'] }],
      absent: ['no-greeting', 'session-aborted', 'connection-refused'],
    },
  ],
});
