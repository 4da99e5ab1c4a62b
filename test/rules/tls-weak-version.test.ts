import rule from '../../src/rules/catalog/tls-weak-version.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'TLS 1.3 via supported_versions (Postfix)', capture: 'captures/real/postfix-starttls.pcap' },
    { name: 'TLS 1.2 (Gmail, zeek conformance)', capture: '../../shared/conformance/zeek/starttls.pcap' },
    { name: 'a TLS 1.0 ClientHello the server refused: nothing was negotiated', capture: 'captures/smtp/tls-alert-after-clienthello.pcap' },
  ],
  invalid: [
    {
      name: 'server accepts a TLS 1.0-only client',
      dialogue: 'dialogues/rules/tls-weak-version-tls10.smtp',
      findings: [{
        frames: [14, 16],
        data: { version: 'TLS 1.0', cipher: 'TLS_RSA_WITH_AES_128_CBC_SHA', offered: 'up to TLS 1.0' },
        evidence: ['ClientHello offering up to TLS 1.0', 'ServerHello selecting TLS 1.0'],
      }],
      absent: ['tls-handshake-failed'],
    },
  ],
});
