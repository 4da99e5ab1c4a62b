import rule from '../../src/rules/catalog/directory-harvest.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';
import { mergedCapture } from './auth-helpers.js';

const PART1 = 'dialogues/rules/directory-harvest-part1.smtp';
const PART2 = 'dialogues/rules/directory-harvest-part2.smtp';

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'a single unknown recipient', capture: 'captures/real/smtp-server-unknown-rcpt.pcap' },
    { name: '6 unknown of 14: under 10 and under half (stale list)', dialogue: 'dialogues/rules/directory-harvest-under-half.smtp' },
    { name: 'one session of a split harvest: 5 of 12', dialogue: PART1 },
    { name: 'relay refusals are not unknown recipients', capture: 'captures/mission/relay-denied.pcap' },
  ],
  invalid: [
    {
      name: '12 unknown of 14 guessed recipients (Postfix wording)',
      capture: 'captures/smtp/harvest.pcap',
      findings: [{
        session: null,
        client: '192.0.2.99',
        frames: [14, 60],
        data: { client: '192.0.2.99', unknown: 12, rcpts: 14, sessions: 1 },
        evidence: ['RCPT TO:<admin@example.net>', '550 5.1.1', 'RCPT TO:<sales@example.net>'],
      }],
    },
    {
      name: '6 unknown of 10: at least half and at least 5',
      dialogue: 'dialogues/rules/directory-harvest-half.smtp',
      findings: [{ data: { unknown: 6, rcpts: 10 } }],
    },
    {
      name: 'two sessions of one client add up to 10 refusals',
      capture: mergedCapture([PART1, PART2]),
      findings: [{ client: '192.0.2.62', data: { unknown: 10, rcpts: 24, sessions: 2 } }],
    },
    {
      name: '--threshold directory-harvest=6 on the under-half list',
      dialogue: 'dialogues/rules/directory-harvest-under-half.smtp',
      options: { thresholds: { 'directory-harvest': 6 } },
      findings: [{ data: { unknown: 6, rcpts: 14 } }],
    },
  ],
});
