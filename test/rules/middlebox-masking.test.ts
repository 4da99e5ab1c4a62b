import { describe, expect, it } from 'vitest';
import rule, { MASKED_WORD, maskedBanner } from '../../src/rules/catalog/middlebox-masking.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'Exchange keywords that start with X (XEXCH50, XRDST, XSHADOW, X-ANONYMOUSTLS) are not masks', capture: 'captures/mission/x-anonymoustls-500.pcap' },
    { name: 'ordinary Postfix session', capture: 'captures/real/postfix-plain.pcap' },
  ],
  invalid: [
    {
      name: 'Cisco ASA masks the banner and overwrites STARTTLS/AUTH keywords',
      capture: 'captures/mission/asa-masked.pcap',
      findings: [{
        frames: [4, 8],
        data: { bannerMasked: true, maskedKeywords: 'XXXXXXXA XXXA XXXXXXXB', maskedCommands: '' },
        evidence: ['220 ******************************', '250-XXXXXXXA', '250-XXXA', '250-XXXXXXXB'],
      }],
      absent: ['banner-disclosure', 'greeting-refused', 'starttls-stripped'],
    },
    {
      name: 'Exchange 2003 behind a PIX: eight overwritten keywords, banner intact (suricata-verify)',
      capture: '../../shared/conformance/suricata-verify/smtp-extract-url-schemes.pcap',
      findings: [{ frames: [10, 10], data: { bannerMasked: false, maskedKeywords: 'XXXA XXXXXXXB XXXC XXXXXXXXXXXXXXXXXXXXXXXD XXXXXXXXXXXE XXXXXXXXXF XXXXXXXXXXXG XXXXXXH' } }],
    },
    {
      name: 'the firewall overwrote the client\'s STARTTLS (capture on the server side)',
      script: [
        '@client 192.0.2.62:43200', '@server 198.51.100.25:25',
        'S: 220 mx.example.net ESMTP', 'C: EHLO client.example.org', 'S: 250-mx.example.net', 'S: 250 STARTTLS',
        'C: XXXXXXXX', 'S: 500 5.5.2 Error: command not recognized', 'C: QUIT', 'S: 221 Bye', '@close C',
      ].join('\n'),
      findings: [{ frames: [10, 10], data: { maskedCommands: 'XXXXXXXX', bannerMasked: false }, evidence: ['XXXXXXXX'] }],
    },
  ],
});

describe('mask detection', () => {
  it.each([
    ['******************************', true],
    ['*****************************2**0***0*00****', true],
    ['mx.example.net ESMTP *** ready', false],
    ['mx.example.net ESMTP', false],
  ])('maskedBanner(%j) = %s', (text, want) => {
    expect(maskedBanner(text)).toBe(want);
  });
  it.each([
    ['XXXXXXXA', true],
    ['XXXA', true],
    ['XXXX', true],
    ['XEXCH50', false],
    ['XRDST', false],
    ['XSHADOW', false],
    ['X-ANONYMOUSTLS', false],
    ['XI', false],
  ])('MASKED_WORD %s → %s', (kw, want) => {
    expect(MASKED_WORD.test(kw)).toBe(want);
  });
});
