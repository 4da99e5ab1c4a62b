import { join } from 'node:path';
import rule from '../../src/rules/catalog/session-aborted.js';
import type { Rule } from '../../src/rules/index.js';
import { CONFORMANCE } from '../helpers/corpus.js';
import { ruleTester } from '../helpers/rule-tester.js';

const head = ['@client 10.0.0.5:40100', '@server 10.0.0.25:25', 'S: 220 mx.example.com ESMTP', 'C: EHLO client.example.com', 'S: 250 mx.example.com'];

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'Postfix 521 then its own FIN; the client\'s pipelined commands after it are not owed replies (near miss, suricata-verify smtp-bdat-bad-tail-next-mail)', capture: '/work/shared/conformance/suricata-verify/smtp-bdat-bad-tail-next-mail.pcap' },
    { name: 'server answered 250 to an <LF>.<LF> end of data, then closed: the message was judged (near miss, suricata-verify smtp-url-base64)', capture: '/work/shared/conformance/suricata-verify/smtp-url-base64.pcap' },
    { name: 'session ended inside TLS (opaque, not aborted)', capture: 'captures/real/postfix-starttls.pcap' },
    { name: 'ordinary session ending with QUIT/221', capture: 'captures/real/postfix-plain.pcap' },
    { name: 'RST after QUIT and 221 (real client)', capture: join(CONFORMANCE, 'suricata-verify/smtp-long-DATA-line.pcap') },
    { name: 'gap in DATA, then QUIT/221: nothing guessed', capture: 'captures/smtp/capture-gap.pcap' },
    {
      name: 'QUIT with a transaction open is an orderly end (RFC 5321 §4.1.1.10)',
      script: [...head, 'C: MAIL FROM:<a@example.net>', 'S: 250 2.1.0 Ok', 'C: QUIT', 'S: 221 Bye', '@close'].join('\n'),
    },
    {
      name: 'capture ends (no FIN/RST) with a transaction open',
      script: [...head, 'C: MAIL FROM:<a@example.net>', 'S: 250 2.1.0 Ok'].join('\n'),
    },
  ],
  invalid: [
    {
      name: 'Postfix: client resets in the middle of DATA (real)',
      capture: 'captures/real/postfix-rst-in-data.pcap',
      findings: [{ frames: [13, 19], data: { by: 'client', phase: 'DATA', octets: 4022, state: 'data' }, evidence: ['DATA', '354', 'RST from the client'] }],
      absent: ['no-quit'],
    },
    {
      name: 'client resets in the middle of DATA (scripted twin)',
      capture: 'captures/smtp/rst-in-data.pcap',
      findings: [{ frames: [18, 24], data: { by: 'client', phase: 'DATA', octets: 816 }, evidence: ['DATA', '354 End data', 'RST from the client'] }],
      absent: ['no-quit'],
    },
    {
      name: 'server resets while the client waits for the reply to RCPT',
      dialogue: 'dialogues/rules/session-aborted-server-owes-reply.smtp',
      findings: [{ frames: [14, 16], data: { by: 'server', phase: 'reply', pending: 'RCPT', consequence: 'the message was not delivered in this session' }, evidence: ['RCPT TO:<bob@example.net>', 'RST from the server'] }],
      absent: ['no-quit'],
    },
    {
      name: 'client gives up waiting for the EHLO reply and resets (no transaction)',
      script: ['@client 10.0.0.5:40101', '@server 10.0.0.25:25', 'S: 220 mx.example.com ESMTP', 'C: EHLO client.example.com', '@+300s', '@rst C'].join('\n'),
      findings: [{ data: { by: 'client', phase: 'reply', pending: 'EHLO', consequence: 'the command was never answered' }, evidence: ['EHLO client.example.com', 'RST from the client'] }],
      absent: ['no-quit'],
    },
    {
      name: 'FIN with a transaction open (MAIL accepted, no DATA, no QUIT)',
      script: [...head, 'C: MAIL FROM:<a@example.net>', 'S: 250 2.1.0 Ok', 'C: RCPT TO:<b@example.com>', 'S: 250 2.1.5 Ok', '@close C'].join('\n'),
      findings: [{ data: { by: 'client', how: 'FIN', phase: 'transaction' }, evidence: ['MAIL FROM:<a@example.net>', 'FIN from the client'] }],
      absent: ['no-quit'],
    },
  ],
});
