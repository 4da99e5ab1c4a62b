import rule from '../../src/rules/catalog/xexch50-blob-dropped.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';

/** The rules that would otherwise report the same dropped BLOB a second time. */
const SAME_PROBLEM = ['session-aborted', 'slow-reply', 'temporary-failure', 'unexpected-reply', 'tcp-gap', 'too-many-errors'];

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'BLOB delivered whole and acknowledged at once', dialogue: 'dialogues/rules/xexch50-blob-dropped-delivered.smtp' },
    { name: 'capture missed a BLOB segment but the server answered 250 (tcp-gap, not a drop)', dialogue: 'dialogues/rules/xexch50-blob-dropped-capture-loss.smtp' },
    { name: 'XEXCH50 refused with 500: no BLOB was ever due', dialogue: 'dialogues/rules/xexch50-refused-advertised.smtp' },
  ],
  invalid: [
    {
      name: 'KB 818222: firewall drops the BLOB, server times out with 421 after 10 minutes',
      capture: 'captures/mission/xexch50-blob-dropped.pcap',
      findings: [
        {
          frames: [18, 29],
          data: { command: 'XEXCH50 1124 2', expected: 1124, received: 536, missing: 588, reply: 421, enhanced: '4.4.2' },
          evidence: ['XEXCH50 1124 2', '354 Send binary data', '421 4.4.2', 'XEXCH50 BLOB: 536 of 1124 bytes'],
        },
      ],
      absent: SAME_PROBLEM,
    },
    {
      name: 'KB 818222: BLOB cut short, server never answers before the capture ends',
      capture: 'captures/mission/xexch50-blob-dropped-silent.pcap',
      findings: [
        {
          frames: [18, 23],
          data: { command: 'XEXCH50 1124 2', expected: 1124, received: 536, reply: null },
          evidence: ['XEXCH50 1124 2', '354 Send binary data', 'XEXCH50 BLOB: 536 of 1124 bytes'],
        },
      ],
      absent: SAME_PROBLEM,
    },
    {
      name: 'connection reset in the middle of the BLOB',
      dialogue: 'dialogues/rules/xexch50-blob-dropped-reset.smtp',
      findings: [{ data: { expected: 1124, received: 536, reply: null, outcome: 'the connection was reset without an answer from the server' }, evidence: ['XEXCH50 1124 2', '354'] }],
      absent: SAME_PROBLEM,
    },
    {
      name: 'whole BLOB arrives but the 250 comes only after 45 s (over slow-reply-ms)',
      dialogue: 'dialogues/rules/xexch50-blob-dropped-late-ack.smtp',
      findings: [{ frames: [18, 26], data: { expected: 1124, received: 1124, reply: 250 }, evidence: ['XEXCH50 1124 2', '354', '250 2.0.0 XEXCH50 OK'] }],
      absent: ['slow-reply'],
    },
  ],
});
