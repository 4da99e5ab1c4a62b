/**
 * Shared by the auth rule tests: the fixtures' fake passwords, and a check that no
 * finding of ANY rule (summary, evidence, data) shows a password or its base64 forms,
 * on captures where the password is provably on the wire.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { buildDialogueCapture } from '../helpers/dialogue.js';
import { FIXTURES } from '../helpers/corpus.js';
import { findingsOf, type CaseSource } from '../helpers/rule-tester.js';

export interface Credential {
  user: string;
  password: string;
}

/** fixtures/make/record-real.sh (swaks --auth-password) against fixtures/make/smtp-server.mjs. */
export const REAL_AUTH_CAPTURES: readonly { capture: string; cred: Credential }[] = [
  { capture: 'captures/real/smtp-server-auth-plain.pcap', cred: { user: 'alice', password: 's3cret-PLAIN-pw' } },
  { capture: 'captures/real/smtp-server-auth-plain-535.pcap', cred: { user: 'alice', password: 'bad-PLAIN-pw' } },
  { capture: 'captures/real/smtp-server-auth-login.pcap', cred: { user: 'alice', password: 's3cret-LOGIN-pw' } },
  { capture: 'captures/real/smtp-server-auth-login-535.pcap', cred: { user: 'alice', password: 'bad-LOGIN-pw' } },
];

/** The guesses of fixtures/dialogues/rules/auth-brute-force-*.smtp and auth-failed-454.smtp. */
export const GUESSES: readonly string[] = ['guess-pw-1', 'guess-pw-2', 'guess-pw-3', 'guess-pw-4', 'guess-pw-5'];

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** How a password can appear: as is, LOGIN's base64 answer, PLAIN's message (RFC 4616 §2) with and without authzid. */
export function secretForms({ user, password }: Credential): string[] {
  return [password, b64(password), b64(`\0${user}\0${password}`), b64(`${user}\0${user}\0${password}`)];
}

/** Registers a test: the capture carries each password (in some form), and no finding shows any form of it. */
export function itLeaksNoPassword(name: string, source: CaseSource, creds: readonly Credential[]): void {
  it(`no finding of any rule shows the password: ${name}`, async () => {
    const { file, findings } = await findingsOf(source);
    const wire = readFileSync(file).toString('latin1');
    for (const c of creds) expect(secretForms(c).some((f) => wire.includes(f)), `password of ${c.user} on the wire`).toBe(true);
    expect(findings.length).toBeGreaterThan(0);
    const forms = creds.flatMap(secretForms);
    for (const f of findings) {
      const shown = JSON.stringify({ summary: f.summary, evidence: f.evidence.map((e) => e.line), data: f.data });
      for (const form of forms) expect(shown, `${f.rule} shows a password`).not.toContain(form);
    }
  });
}

const tmp = mkdtempSync(join(tmpdir(), 'smtpscope-auth-'));
let merged = 0;

/** Several dialogues (one connection each) built and merged by time into one capture (mergecap), for cross-session rules. */
export function mergedCapture(dialogues: readonly string[]): string {
  const parts = dialogues.map((d, i) => {
    const p = join(tmp, `m${merged}-${i}.pcap`);
    writeFileSync(p, buildDialogueCapture(readFileSync(resolve(FIXTURES, d), 'utf8')));
    return p;
  });
  const out = join(tmp, `merged-${merged++}.pcap`);
  execFileSync('mergecap', ['-F', 'pcap', '-w', out, ...parts], { stdio: 'ignore' });
  return out;
}
