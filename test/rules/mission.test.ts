/**
 * Issue 4: the five scenarios of the mission each fire exactly the expected rules, with the
 * exact reply text in the evidence. The complete list is asserted (notices included), so
 * a new rule that starts firing on these captures, or one that stops, fails here.
 */
import { describe, expect, it } from 'vitest';
import { findingsOf } from '../helpers/rule-tester.js';

interface Scenario {
  capture: string;
  /** Every finding, as "rule severity", in report order. */
  rules: string[];
  /** The rule that names the problem, and evidence lines it must show verbatim. */
  main: { rule: string; evidence: string[] };
}

const SCENARIOS: Record<string, Scenario> = {
  'antivirus proxy stripped MAIL FROM: 503 5.5.1 after AUTH (frankysweb)': {
    capture: 'captures/mission/503-rcpt-without-mail.pcap',
    rules: ['auth-cleartext warning', 'rcpt-without-mail error'],
    main: { rule: 'rcpt-without-mail', evidence: ['RCPT TO:<frank@frankysweb.de>', '503 5.5.1 Error: Bad sequence of commands'] },
  },
  'XEXCH50 1124 2 answered 354, BLOB cut short, server times out (KB 818222)': {
    capture: 'captures/mission/xexch50-blob-dropped.pcap',
    rules: ['banner-disclosure notice', 'xexch50-blob-dropped error'],
    main: { rule: 'xexch50-blob-dropped', evidence: ['XEXCH50 1124 2', '354 Send binary data', '421 4.4.2 mail.partner.example Timeout while waiting for data', '536 of 1124 bytes'] },
  },
  'X-ANONYMOUSTLS answered 500 5.3.3 Unrecognized command (ForeFront / Exchange 2010)': {
    capture: 'captures/mission/x-anonymoustls-500.pcap',
    rules: ['banner-disclosure notice', 'tls-refused error'],
    main: { rule: 'tls-refused', evidence: ['X-ANONYMOUSTLS', '500 5.3.3 Unrecognized command'] },
  },
  '550 5.7.1 Unable to relay for a scanner outside the relay connector': {
    capture: 'captures/mission/relay-denied.pcap',
    rules: ['banner-disclosure notice', 'helo-invalid notice', 'relay-denied error'],
    main: { rule: 'relay-denied', evidence: ['550 5.7.1 Unable to relay'] },
  },
  'firewall SMTP inspection: 220 ***** banner and XXXXXXXA keywords': {
    capture: 'captures/mission/asa-masked.pcap',
    rules: ['middlebox-masking error'],
    main: { rule: 'middlebox-masking', evidence: ['220 ***', 'XXXXXXXA'] },
  },
};

describe('the mission scenarios', () => {
  for (const [name, sc] of Object.entries(SCENARIOS)) {
    it(name, async () => {
      const { findings } = await findingsOf({ name, capture: sc.capture });
      expect(findings.map((f) => `${f.rule} ${f.severity}`)).toEqual(sc.rules);
      const main = findings.find((f) => f.rule === sc.main.rule)!;
      const lines = main.evidence.map((e) => e.line).join('\n');
      for (const want of sc.main.evidence) expect(lines).toContain(want);
    });
  }
});
