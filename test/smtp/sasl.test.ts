import { describe, expect, it } from 'vitest';
import { isBase64, maskedAuthArg, parseAuthArg, SaslExchange } from '../../src/smtp/sasl.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('sasl helpers', () => {
  it.each([
    ['PLAIN', { value: { mechanism: 'PLAIN', initial: null } }],
    ['login dXNlcg==', { value: { mechanism: 'LOGIN', initial: 'dXNlcg==' } }],
    ['PLAIN =', { value: { mechanism: 'PLAIN', initial: '=' } }],
    ['', { error: 'missing mechanism' }],
    ['PLAIN a b', { error: 'trailing junk' }],
  ])('parseAuthArg %j', (arg, want) => {
    expect(parseAuthArg(arg)).toEqual(want);
  });
  it.each([
    ['PLAIN', 'PLAIN'],
    ['PLAIN AGFsaWNlAHNlY3JldA==', 'PLAIN <credentials: 20 bytes>'],
    ['PLAIN =', 'PLAIN ='],
    ['PLAIN a b', '<credentials: 9 bytes>'],
  ])('maskedAuthArg %j', (arg, want) => {
    expect(maskedAuthArg(arg)).toBe(want);
  });
  it.each([['', true], ['=', true], ['YQ==', true], ['YQ=', false], ['a b', false], ['****', false]])('isBase64 %j', (s, ok) => {
    expect(isBase64(s)).toBe(ok);
  });
});

describe('SaslExchange', () => {
  it('PLAIN: authcid, else authzid', () => {
    expect(new SaslExchange('PLAIN', b64('\0u\0pw')).user).toBe('u');
    expect(new SaslExchange('PLAIN', b64('z\0\0pw')).user).toBe('z');
    expect(new SaslExchange('PLAIN', b64('nonul')).user).toBeNull();
  });
  it('LOGIN: user from the initial response or the Username: answer, never the password', () => {
    const a = new SaslExchange('LOGIN', null);
    a.challenge(b64('Username:'));
    expect(a.answer(b64('bob'))).toBe('<credentials: 4 bytes>');
    a.challenge(b64('Password:'));
    a.answer(b64('hunter2'));
    expect(a.user).toBe('bob');
    expect(JSON.stringify(a)).not.toContain('hunter2');
    expect(JSON.stringify(a)).not.toContain(b64('hunter2'));
    const b = new SaslExchange('LOGIN', b64('carol'));
    b.challenge(b64('Password:'));
    b.answer(b64('pw'));
    expect(b.user).toBe('carol');
    // prompts that are not the usual words: first answer user, second secret
    const c = new SaslExchange('LOGIN', null);
    c.challenge(b64('Who?'));
    c.answer(b64('dave'));
    c.challenge(b64('Proof?'));
    c.answer(b64('pw2'));
    expect(c.user).toBe('dave');
  });
  it('CRAM-MD5 and XOAUTH2 user names', () => {
    const c = new SaslExchange('CRAM-MD5', null);
    c.challenge(b64('<1.2@x>'));
    c.answer(b64('tim 0123456789abcdef'));
    expect(c.user).toBe('tim');
    expect(new SaslExchange('XOAUTH2', b64('user=ann@x\x01auth=Bearer tok\x01\x01')).user).toBe('ann@x');
  });
  it('results and cancellation', () => {
    const x = new SaslExchange('LOGIN', null);
    expect(x.result(235)).toBe('success');
    expect(x.result(535)).toBe('failure');
    expect(x.result(454)).toBe('failure');
    expect(x.answer('*')).toBe('*');
    expect(x.result(501)).toBe('cancelled');
    const bad = new SaslExchange('PLAIN', 'not base64!');
    expect(bad.badBase64).toBe(true);
  });
});
