import rule from '../../src/rules/catalog/too-many-errors.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'five 500 replies are at max-protocol-errors, not over it (suricata-verify smtp-errors)', capture: '../../shared/conformance/suricata-verify/smtp-errors.pcap' },
    { name: '421 4.3.2 shutdown with no protocol error before it', dialogue: 'dialogues/rules/temporary-failure-421-shutdown.smtp' },
    { name: 'two refused recipients', capture: 'captures/smtp/tarpit.pcap' },
    { name: 'six 5xx replies with max-protocol-errors raised to 6', dialogue: 'dialogues/rules/too-many-errors-six.smtp', options: { thresholds: { 'max-protocol-errors': 6 } } },
  ],
  invalid: [
    {
      name: 'Exchange MaxProtocolErrors: 421 4.7.0 after unrecognized commands, then the server closes',
      dialogue: 'dialogues/rules/too-many-errors-421.smtp',
      findings: [{ data: { errors: 3, protocolErrors: 3, code: 421, enhanced: '4.7.0' }, evidence: ['GET / HTTP/1.1', '500 5.3.3', '421 4.7.0 Too many errors', 'session ended'] }],
      absent: ['temporary-failure', 'session-aborted', 'no-quit'],
    },
    {
      name: 'six commands refused with 5xx, one over max-protocol-errors (5)',
      dialogue: 'dialogues/rules/too-many-errors-six.smtp',
      findings: [{ frames: [10, 32], data: { errors: 6, limit: 5, code: null } }],
    },
  ],
});
