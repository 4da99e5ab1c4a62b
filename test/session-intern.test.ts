import { describe, expect, it } from 'vitest';
import { createSessionInterner, INTERN_TABLE_MAX } from '../src/session-intern.js';
import type { SmtpSession } from '../src/smtp/index.js';

const T = { sec: 1, nsec: 0 };

/** A session shaped like smtp/'s, fresh copies of every string and array each call. */
function session(id: number, rcptText: string): SmtpSession {
  const ehloLines = ['250-mx.example.net', '250-PIPELINING', '250 STARTTLS'].map((l) => l.slice());
  return {
    id,
    greeting: 'mx.example.net ESMTP'.slice(),
    extensions: ['PIPELINING', 'STARTTLS'],
    ehlo: { keywords: [{ keyword: 'PIPELINING', params: [], raw: 'PIPELINING' }], pipelining: true, starttls: true, size: null, authMechanisms: [] },
    commands: [
      { seq: 0, frame: 1, time: T, verb: 'EHLO', arg: 'c', pseudo: false, reply: { n: 1, frame: 2, time: T, code: 250, enhanced: null, lines: ehloLines, text: ehloLines.join('\n'), latencyMs: 1 } },
      { seq: 1, frame: 3, time: T, verb: 'QUIT', arg: '', pseudo: false, reply: null },
    ],
    transactions: [{ rcpts: [{ address: 'a@b', code: 550, enhanced: '5.1.1', text: rcptText }], result: { code: 250, enhanced: '2.0.0', text: '2.0.0 Ok', frame: 9 } }],
  } as unknown as SmtpSession;
}

describe('session interner', () => {
  it('is lossless: a compacted session equals the original, and equal values are shared', () => {
    const interner = createSessionInterner();
    const a = interner.compact(session(1, '5.1.1 unknown a'));
    const b0 = session(2, '5.1.1 unknown b');
    const before = structuredClone(b0);
    const b = interner.compact(b0);
    expect(b).toEqual(before);
    expect(b.extensions).toBe(a.extensions);
    expect(b.ehlo).toBe(a.ehlo);
    expect(b.commands[0]!.reply!.lines).toBe(a.commands[0]!.reply!.lines);
    expect(b.transactions[0]!.rcpts[0]!.text).toBe('5.1.1 unknown b');
    expect(interner.stats().hits).toBeGreaterThan(0);
  });

  it(`stays bounded: past ${INTERN_TABLE_MAX} distinct values a table starts over, and values stay right`, () => {
    const interner = createSessionInterner();
    const last = [];
    for (let i = 0; i < INTERN_TABLE_MAX + 10; i++) last.push(interner.compact(session(i, `5.1.1 unknown ${i}`)));
    expect(interner.stats().resets).toBeGreaterThan(0);
    expect(last.at(-1)!.transactions[0]!.rcpts[0]!.text).toBe(`5.1.1 unknown ${INTERN_TABLE_MAX + 9}`);
  });
});
