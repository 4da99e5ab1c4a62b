import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import rule from '../../src/rules/catalog/starttls-stripped.js';
import type { Rule } from '../../src/rules/index.js';
import { compareTime } from '../../src/util/time.js';
import { FIXTURES } from '../helpers/corpus.js';
import { dialogueFrames, framesToCapture, parseDialogue } from '../helpers/dialogue.js';
import { ruleTester } from '../helpers/rule-tester.js';

const tmp = mkdtempSync(join(tmpdir(), 'smtpscope-stripped-'));
let n = 0;

/** Several one-connection dialogues merged by time into one capture (what a long capture on one link holds). */
function merged(names: readonly string[]): string {
  const frames = names
    .flatMap((name) => dialogueFrames(parseDialogue(readFileSync(resolve(FIXTURES, `dialogues/rules/starttls-stripped-${name}.smtp`), 'utf8'))))
    .sort((a, b) => compareTime(a.time, b.time));
  const file = join(tmp, `merged-${n++}.pcap`);
  writeFileSync(file, framesToCapture(frames, 'pcap', frames[0]!.linkType));
  return file;
}

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'a single session without STARTTLS: nothing to compare with', dialogue: 'dialogues/rules/starttls-stripped-missing.smtp' },
    { name: 'another server without STARTTLS is not a downgrade of this one', capture: merged(['offered', 'other-server']) },
    { name: 'keyword masked as XXXXXXXA: middlebox-masking\'s finding, not a second one', capture: merged(['offered', 'masked']) },
    { name: 'one STARTTLS session in the whole capture (Postfix)', capture: 'captures/real/postfix-starttls.pcap' },
  ],
  invalid: [
    {
      name: 'same server offers STARTTLS to one client and not to the next',
      capture: merged(['offered', 'missing']),
      findings: [{
        session: 2,
        client: '192.0.2.41',
        data: { server: '198.51.100.25:25', client: '192.0.2.41', advertisedIn: 1, advertisedStream: 0, advertisedToClient: '192.0.2.40' },
        evidence: ['250-mx.example.net\n250-PIPELINING\n250 8BITMIME'],
      }],
    },
    {
      name: 'masked session beside a stripped one: only the stripped one is this rule\'s',
      capture: merged(['offered', 'missing', 'masked']),
      findings: [{ client: '192.0.2.41', data: { advertisedIn: 1 } }],
    },
  ],
});
