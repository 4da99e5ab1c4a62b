import rule from '../../src/rules/catalog/tls-handshake-failed.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'Postfix STARTTLS, TLS 1.3 completed, session ends inside TLS', capture: 'captures/real/postfix-starttls.pcap' },
    { name: 'smtp-server STARTTLS completed, connection reset inside TLS', capture: 'captures/real/smtp-server-starttls.pcap' },
    { name: 'Gmail STARTTLS TLS 1.2 completed, encrypted close_notify at the end (zeek)', capture: '../../shared/conformance/zeek/starttls.pcap' },
    { name: 'STARTTLS refused 454: no handshake was due', capture: 'captures/real/postfix-starttls-454.pcap' },
    {
      name: 'capture stopped mid-handshake: no claim',
      script: [
        '@client 192.0.2.34:52030', '@server 198.51.100.25:25',
        'S: 220 mx.example.net ESMTP', 'C: EHLO app.example.org', 'S: 250-mx.example.net', 'S: 250 STARTTLS',
        'C: STARTTLS', 'S: 220 2.0.0 Ready to start TLS',
        'C!: 160301002d0100002903030000000000000000000000000000000000000000000000000000000000000000000002002f0100',
      ].join('\n'),
    },
  ],
  invalid: [
    {
      name: 'server answers a TLS 1.0-only ClientHello with a fatal protocol_version alert',
      capture: 'captures/smtp/tls-alert-after-clienthello.pcap',
      findings: [{
        frames: [10, 16],
        data: { verb: 'STARTTLS', alertLevel: 'fatal', alertDescription: 'protocol_version', alertFrom: 'server', offered: 'TLS 1.0' },
        evidence: ['STARTTLS', '220 2.0.0 Ready to start TLS', 'ClientHello', 'fatal protocol_version'],
      }],
      absent: ['session-aborted'],
    },
    {
      name: 'client goes on in plain text after 220 to STARTTLS',
      dialogue: 'dialogues/rules/tls-handshake-failed-plaintext.smtp',
      findings: [{ frames: [10, 14], data: { verb: 'STARTTLS', alertLevel: null }, evidence: ['STARTTLS', '220', 'MAIL FROM:<printer@example.org>'] }],
    },
    {
      name: 'server closes after the ClientHello without a ServerHello',
      dialogue: 'dialogues/rules/tls-handshake-failed-close-after-220.smtp',
      findings: [{ frames: [10, 18], data: { verb: 'STARTTLS', offered: 'TLS 1.2', selected: null }, evidence: ['STARTTLS', 'ClientHello', 'closed (FIN) before the TLS handshake completed'] }],
      absent: ['session-aborted'],
    },
    {
      name: 'implicit-TLS client (port 465) meets a plain-text SMTP server (suricata-verify)',
      capture: '../../shared/conformance/suricata-verify/smtp-tls-protodetect.pcap',
      findings: [{ frames: [4, 6], data: { verb: 'implicit' }, evidence: ['ClientHello', '220 poczta.home-whs.pl ESMTP'] }],
    },
  ],
});
