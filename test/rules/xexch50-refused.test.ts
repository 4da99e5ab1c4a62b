import rule from '../../src/rules/catalog/xexch50-refused.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'XEXCH50 answered 354 and the BLOB delivered', dialogue: 'dialogues/rules/xexch50-blob-dropped-delivered.smtp' },
    { name: 'XEXCH50 answered 354 then the BLOB dropped: xexch50-blob-dropped, not a refusal', capture: 'captures/mission/xexch50-blob-dropped.pcap' },
  ],
  invalid: [
    {
      name: 'advertised XEXCH50 answered 500 5.3.3 (a middlebox answers for the server)',
      dialogue: 'dialogues/rules/xexch50-refused-advertised.smtp',
      findings: [{ frames: [8, 20], data: { code: 500, enhanced: '5.3.3', advertised: true }, evidence: ['250-XEXCH50', 'XEXCH50 1020 2', '500 5.3.3 Unrecognized command'] }],
      absent: ['unexpected-reply', 'bad-sequence'],
    },
    {
      name: 'XEXCH50 not advertised, answered 502',
      dialogue: 'dialogues/rules/xexch50-refused-not-advertised.smtp',
      findings: [{ frames: [18, 20], data: { code: 502, advertised: false }, evidence: ['XEXCH50 1020 2', '502 5.5.1'] }],
    },
  ],
});
