import { describe, expect, it } from 'vitest';
import {
  endsGroup,
  isKnownVerb,
  isPermittedReply,
  parseBdat,
  parseEhloKeyword,
  parseEnhancedCode,
  parseMailFrom,
  parseRcptTo,
  parseXexch50,
  splitCommand,
  summarizeEhlo,
  VERBS,
} from '../../src/smtp/commands.js';

describe('verb table', () => {
  it('has each verb once', () => {
    const names = VERBS.map((v) => v.verb);
    expect(new Set(names).size).toBe(names.length);
  });
  it('RFC 2920 §3.1 group endings', () => {
    for (const v of ['RSET', 'MAIL', 'RCPT', 'SEND', 'SOML', 'SAML', 'BDAT', '<end-of-data>']) expect(endsGroup(v), v).toBe(false);
    for (const v of ['EHLO', 'HELO', 'DATA', 'VRFY', 'EXPN', 'TURN', 'QUIT', 'NOOP', 'STARTTLS', 'AUTH', 'X-ANONYMOUSTLS', 'XEXCH50', 'FOOBAR']) expect(endsGroup(v), v).toBe(true);
  });
  it.each([
    ['RCPT', 250, true],
    ['RCPT', 354, false],
    ['MAIL', 235, false],
    ['MAIL', 421, true],
    ['DATA', 501, true],
    ['DATA', 354, true],
    ['<connect>', 554, true],
    ['<connect>', 500, true],
    ['QUIT', 250, false],
    ['X-ANONYMOUSTLS', 500, true],
    ['FOOBAR', 299, true],
  ])('%s → %i permitted: %s', (verb, code, ok) => {
    expect(isPermittedReply(verb, code)).toBe(ok);
  });
  it('verbs are case-insensitive, arguments kept as sent', () => {
    expect(splitCommand('mail FROM:<A@B>  SIZE=1')).toEqual({ verb: 'MAIL', arg: 'FROM:<A@B>  SIZE=1' });
    expect(splitCommand('quit')).toEqual({ verb: 'QUIT', arg: '' });
    expect(isKnownVerb('X-ANONYMOUSTLS')).toBe(true);
    expect(isKnownVerb('<connect>')).toBe(false);
  });
});

describe('parseBdat', () => {
  it.each([
    ['100', { value: { size: 100, chunk: 'intermediate' } }],
    ['0 LAST', { value: { size: 0, chunk: 'last' } }],
    ['7 last', { value: { size: 7, chunk: 'last' } }],
    ['-1', { error: 'chunk size: negative' }],
    ['abc', { error: 'chunk size: not a number' }],
    ['184467440737095516150', { error: 'chunk size: overflow' }],
    ['10 LAST x', { error: 'trailing junk' }],
    ['10 FIRST', { error: 'trailing junk' }],
    ['', { error: 'missing chunk size' }],
    ['1e3', { error: 'chunk size: not a number' }],
  ])('BDAT %s', (arg, want) => {
    expect(parseBdat(arg)).toEqual(want);
  });
});

describe('parseXexch50', () => {
  it.each([
    ['1024 2', { value: { size: 1024, authLevel: 2 } }],
    ['1024', { error: 'missing argument' }],
    ['1024 2 3', { error: 'trailing junk' }],
    ['-5 2', { error: 'blob length: negative' }],
    ['99999999999999999999 2', { error: 'blob length: overflow' }],
    ['10 x', { error: 'auth level: not a number' }],
  ])('XEXCH50 %s', (arg, want) => {
    expect(parseXexch50(arg)).toEqual(want);
  });
});

describe('MAIL / RCPT paths', () => {
  it.each([
    ['FROM:<a@b>', { address: 'a@b', params: {}, size: null, body: null }],
    ['from:<a@b> SIZE=1000 BODY=8bitmime', { address: 'a@b', params: { SIZE: '1000', BODY: '8bitmime' }, size: 1000, body: '8BITMIME' }],
    ['FROM: <a@b>', { address: 'a@b', params: {}, size: null, body: null }],
    ['FROM:<>', { address: '', params: {}, size: null, body: null }],
    ['FROM:a@b', { address: 'a@b', params: {}, size: null, body: null }],
    ['FROM:<a@b> SMTPUTF8 AUTH=<>', { address: 'a@b', params: { SMTPUTF8: null, AUTH: '<>' }, size: null, body: null }],
  ])('MAIL %s', (arg, value) => {
    expect(parseMailFrom(arg)).toEqual({ value });
  });
  it.each([
    ['TO:<a@b>', 'expected FROM:'],
    ['FROM:<a@b', 'unterminated path'],
    ['FROM:', 'missing path'],
    ['FROM:<a@b> SIZE=-1', 'SIZE=: negative'],
    ['FROM:<a@b> SIZE=99999999999999999999', 'SIZE=: overflow'],
  ])('MAIL %s is an error', (arg, error) => {
    expect(parseMailFrom(arg)).toEqual({ error });
  });
  it('RCPT', () => {
    expect(parseRcptTo('To:<x@y> NOTIFY=NEVER')).toEqual({ value: { address: 'x@y', params: { NOTIFY: 'NEVER' }, size: null, body: null } });
    expect(parseRcptTo('FROM:<x@y>')).toEqual({ error: 'expected TO:' });
  });
});

describe('EHLO keywords', () => {
  it.each([
    ['SIZE 35882577', { keyword: 'SIZE', params: ['35882577'], raw: 'SIZE 35882577' }],
    ['auth LOGIN PLAIN', { keyword: 'AUTH', params: ['LOGIN', 'PLAIN'], raw: 'auth LOGIN PLAIN' }],
    ['AUTH=LOGIN', { keyword: 'AUTH', params: ['LOGIN'], raw: 'AUTH=LOGIN' }],
    ['XXXXXXXA', { keyword: 'XXXXXXXA', params: [], raw: 'XXXXXXXA' }],
    ['X-ANONYMOUSTLS', { keyword: 'X-ANONYMOUSTLS', params: [], raw: 'X-ANONYMOUSTLS' }],
  ])('%s', (text, value) => {
    expect(parseEhloKeyword(text)).toEqual({ value });
  });
  it.each([[''], ['  '], ['-BAD'], ['***']])('%j is not a keyword', (text) => {
    expect(parseEhloKeyword(text)).toHaveProperty('error');
  });
  it('summarizes extensions (RFC 1870: SIZE 0 or no value = no limit)', () => {
    const kw = (s: string) => (parseEhloKeyword(s) as { value: ReturnType<typeof parseEhloKeyword> extends { value: infer V } ? V : never }).value;
    const e = summarizeEhlo(['PIPELINING', 'SIZE 0', 'AUTH PLAIN LOGIN', 'AUTH=LOGIN', 'STARTTLS', 'CHUNKING', '8BITMIME', 'SMTPUTF8', 'XEXCH50'].map(kw));
    expect(e).toMatchObject({ pipelining: true, size: null, authMechanisms: ['PLAIN', 'LOGIN'], starttls: true, chunking: true, eightBitMime: true, smtpUtf8: true, xexch50: true, anonymousTls: false });
    expect(summarizeEhlo([kw('SIZE 1000')]).size).toBe(1000);
  });
});

describe('parseEnhancedCode (RFC 3463)', () => {
  it.each([
    ['5.1.1 User unknown', { value: '5.1.1' }],
    ['2.0.0', { value: '2.0.0' }],
    ['4.7.12 password transition', { value: '4.7.12' }],
    ['5.5.1\tx', { value: '5.5.1' }],
    ['3.1.1 x', { error: 'no enhanced status code' }],
    ['5.1 x', { error: 'no enhanced status code' }],
    ['5.1.1234 x', { error: 'no enhanced status code' }],
    ['5.1.1x', { error: 'no enhanced status code' }],
    ['Ok', { error: 'no enhanced status code' }],
  ])('%j', (text, want) => {
    expect(parseEnhancedCode(text)).toEqual(want);
  });
});
