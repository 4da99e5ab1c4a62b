import rule from '../../src/rules/catalog/tls-refused.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'STARTTLS answered 220 and the handshake completed (Postfix, TLS 1.3)', capture: 'captures/real/postfix-starttls.pcap' },
    { name: 'STARTTLS answered 220, then the handshake failed: another rule', capture: 'captures/smtp/tls-alert-after-clienthello.pcap' },
  ],
  invalid: [
    {
      name: 'Exchange X-ANONYMOUSTLS answered 500 5.3.3 (ForeFront on the Mailbox server, seed 000)',
      capture: 'captures/mission/x-anonymoustls-500.pcap',
      findings: [{
        frames: [10, 12],
        data: { verb: 'X-ANONYMOUSTLS', code: 500, enhanced: '5.3.3', text: 'Unrecognized command', advertised: 'yes' },
        evidence: ['X-ANONYMOUSTLS', '500 5.3.3 Unrecognized command'],
      }],
      // X-ANONYMOUSTLS was advertised, so nothing else is wrong with the request.
      absent: ['tls-not-offered', 'tls-handshake-failed', 'unexpected-reply'],
    },
    {
      name: 'Postfix without a usable certificate: 454 4.7.0 (real recording)',
      capture: 'captures/real/postfix-starttls-454.pcap',
      findings: [{ frames: [9, 10], data: { verb: 'STARTTLS', code: 454, enhanced: '4.7.0', advertised: 'yes' }, evidence: ['STARTTLS', '454 4.7.0 TLS not available'] }],
      // swaks --tls hangs up without QUIT once TLS is refused: the same problem, not a second finding.
      absent: ['temporary-failure', 'tls-handshake-failed', 'no-quit'],
    },
    {
      name: 'STARTTLS not advertised and refused 502: one finding, not also tls-not-offered',
      dialogue: 'dialogues/rules/tls-refused-not-advertised.smtp',
      findings: [{ frames: [10, 12], data: { verb: 'STARTTLS', code: 502, enhanced: '5.5.1', advertised: 'no' } }],
      absent: ['tls-not-offered'],
    },
  ],
});
