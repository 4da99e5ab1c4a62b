import rule from '../../src/rules/catalog/no-quit.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';

const head = ['@client 10.0.0.5:40200', '@server 10.0.0.25:25', 'S: 220 mx.example.com ESMTP', 'C: EHLO client.example.com', 'S: 250 mx.example.com'];

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'Postfix 521 then its own close: the server announced it (near miss, suricata-verify smtp-bdat-bad-tail-next-mail)', capture: '/work/shared/conformance/suricata-verify/smtp-bdat-bad-tail-next-mail.pcap' },
    { name: 'session ends with QUIT/221', capture: 'captures/real/postfix-plain.pcap' },
    { name: 'session ended inside TLS', capture: 'captures/real/postfix-starttls.pcap' },
    { name: 'capture ends before any close', script: head.join('\n') },
    { name: 'server announced the close with 421', script: [...head, 'C: MAIL FROM:<a@example.net>', 'S: 421 4.3.2 Service shutting down', '@close S'].join('\n') },
    { name: 'client hangs up after 454 to STARTTLS: tls-refused tells that story', capture: 'captures/real/postfix-starttls-454.pcap' },
    { name: 'SYN answered by RST: nothing to quit (connection-refused)', capture: 'captures/real/kernel-syn-rst-25.pcap' },
  ],
  invalid: [
    {
      name: 'monitoring probe closes after EHLO without QUIT',
      dialogue: 'dialogues/rules/no-quit-fin-after-ehlo.smtp',
      findings: [{ frames: [6, 10], data: { by: 'client', how: 'FIN', last: 'EHLO' }, evidence: ['EHLO probe.example.org', 'FIN from the client'] }],
      absent: ['session-aborted'],
    },
    {
      name: 'server resets an idle session after the message was accepted',
      script: [...head, 'C: MAIL FROM:<a@example.net>', 'S: 250 2.1.0 Ok', 'C: RCPT TO:<b@example.com>', 'S: 250 2.1.5 Ok', 'C: DATA', 'S: 354 go ahead', 'C: Subject: x', 'C: ', 'C: hi', 'C: .', 'S: 250 2.0.0 queued', '@+60s', '@rst S'].join('\n'),
      findings: [{ data: { by: 'server', how: 'a reset (RST)', last: '<end-of-data>' }, evidence: ['<end-of-data>', 'RST from the server'] }],
      absent: ['session-aborted'],
    },
  ],
});
