/**
 * Passwords never appear (spec/interface.md "--redact": "Passwords are never shown, with or
 * without it"): every AUTH fixture × every command × every format, standard output and error.
 * The fake credentials are the ones fixtures/README.md lists; each fixture is first shown to
 * really carry one of them in base64, so the test can fail.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ReportModel } from '../../src/index.js';
import { CAPTURES, fixture, runMain } from './helpers.js';

const PASSWORDS = ['s3cret-PLAIN-pw', 's3cret-LOGIN-pw', 'bad-PLAIN-pw', 'bad-LOGIN-pw'];
const USERS = ['alice', 'frankysweb-relay'];

/**
 * Base64 text that can only come from the secret: the whole encodings as AUTH PLAIN and
 * AUTH LOGIN send them, and for each of the three alignments the characters that depend
 * on the secret's bytes alone (RFC 4648 §4: 3 octets → 4 characters).
 */
function forbidden(secret: string): string[] {
  const out = new Set<string>([secret]);
  const b = Buffer.from(secret);
  for (const u of USERS) {
    out.add(Buffer.from(`\0${u}\0${secret}`).toString('base64'));
    out.add(Buffer.from(`${u}\0${u}\0${secret}`).toString('base64'));
  }
  out.add(b.toString('base64'));
  for (let k = 0; k < 3; k++) {
    const enc = Buffer.concat([Buffer.alloc(k, 0x41), b, Buffer.alloc(3, 0x41)]).toString('base64');
    const first = k === 0 ? 0 : 4;
    const last = Math.floor((k + b.length) / 3) * 4;
    out.add(enc.slice(first, last));
  }
  return [...out].filter((s) => s.length >= 8);
}

const FORBIDDEN = PASSWORDS.flatMap(forbidden);
const AUTH_FIXTURES = [
  ...readdirSync(`${CAPTURES}/real`).filter((f) => f.startsWith('smtp-server-auth-')).map((f) => `real/${f}`),
  'mission/503-rcpt-without-mail.pcap',
];
const FORMATS = ['table', 'json', 'jsonl', 'markdown'];

describe('no password in any output', () => {
  it('covers the AUTH fixtures, each carrying a known password in base64', () => {
    expect(AUTH_FIXTURES.length).toBeGreaterThanOrEqual(5);
    for (const f of AUTH_FIXTURES) {
      const raw = readFileSync(fixture(f)).toString('latin1');
      expect(FORBIDDEN.some((s) => raw.includes(s)), f).toBe(true);
    }
  });

  it.each(AUTH_FIXTURES)('%s', async (f) => {
    const file = fixture(f);
    const model = JSON.parse((await runMain(['analyze', '--format', 'json', file])).stdout) as ReportModel;
    expect(model.sessions.some((s) => s.auth !== null)).toBe(true);
    const commands: string[][] = [
      ['analyze', file],
      ['sessions', file],
      ...model.sessions.map((s) => ['transcript', file, '--session', String(s.id)]),
    ];
    let runs = 0;
    let expected = 0;
    for (const cmd of commands) {
      // html is a format of analyze (sessions and transcript do not offer it).
      const formats = cmd[0] === 'analyze' ? [...FORMATS, 'html'] : FORMATS;
      expected += formats.length;
      for (const format of formats) {
        const r = await runMain([...cmd, '--format', format]);
        expect(r.code, `${cmd.join(' ')} --format ${format}: ${r.stderr}`).toBe(0);
        expect(r.stdout.length).toBeGreaterThan(0);
        for (const s of FORBIDDEN) {
          expect(r.stdout.includes(s), `${cmd.join(' ')} --format ${format} shows ${s}`).toBe(false);
          expect(r.stderr.includes(s)).toBe(false);
        }
        runs++;
      }
    }
    expect(runs).toBe(expected);
    expect(expected).toBe(commands.length * FORMATS.length + 1);
  });
});
