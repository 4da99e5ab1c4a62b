import { describe, expect, it } from 'vitest';
import { inTransaction, nextState, type SmtpState } from '../../src/smtp/state-machine.js';
import { PendingQueue } from '../../src/smtp/pending.js';
import type { Command } from '../../src/smtp/events.js';

describe('nextState', () => {
  it.each<[SmtpState, string, number, SmtpState]>([
    ['init', '<connect>', 220, 'greeted'],
    ['init', '<connect>', 554, 'refused'],
    ['greeted', 'EHLO', 250, 'ready'],
    ['greeted', 'EHLO', 502, 'greeted'],
    ['ready', 'MAIL', 250, 'mail'],
    ['ready', 'MAIL', 550, 'ready'],
    ['ready', 'RCPT', 503, 'ready'], // §4.1.4: 503 leaves the state unchanged
    ['mail', 'RCPT', 250, 'rcpt'],
    ['mail', 'RCPT', 550, 'mail'],
    ['rcpt', 'RCPT', 251, 'rcpt'],
    ['rcpt', 'DATA', 354, 'data'],
    ['rcpt', 'DATA', 554, 'rcpt'],
    ['data', '<end-of-data>', 250, 'ready'],
    ['data', '<end-of-data>', 552, 'ready'],
    ['rcpt', 'BDAT', 250, 'bdat'],
    ['bdat', 'BDAT LAST', 250, 'ready'],
    ['rcpt', 'BDAT', 552, 'rcpt'],
    ['rcpt', 'RSET', 250, 'ready'],
    ['greeted', 'RSET', 250, 'greeted'],
    ['rcpt', 'EHLO', 250, 'ready'],
    ['ready', 'STARTTLS', 220, 'tls'],
    ['ready', 'STARTTLS', 454, 'ready'],
    ['ready', 'X-ANONYMOUSTLS', 500, 'ready'],
    ['ready', 'AUTH', 334, 'auth'],
    ['auth', '<auth-response>', 334, 'auth'],
    ['auth', '<auth-response>', 235, 'ready'],
    ['auth', '<auth-response>', 535, 'ready'],
    ['rcpt', 'XEXCH50', 354, 'xexch50'],
    ['xexch50', '<end-of-blob>', 250, 'rcpt'],
    ['rcpt', 'NOOP', 250, 'rcpt'],
    ['mail', 'VRFY', 252, 'mail'],
    ['mail', 'QUIT', 221, 'quit'],
    ['rcpt', 'RCPT', 421, 'quit'],
    ['unknown', 'RCPT', 250, 'rcpt'],
    ['unknown', 'NOOP', 250, 'unknown'],
    ['tls', 'EHLO', 250, 'tls'],
  ])('%s + %s → %i = %s', (s, verb, code, next) => {
    expect(nextState(s, verb, code)).toBe(next);
  });
  it('transaction states', () => {
    expect(['mail', 'rcpt', 'data', 'bdat', 'xexch50'].every((s) => inTransaction(s as SmtpState))).toBe(true);
    expect(['ready', 'greeted', 'unknown'].some((s) => inTransaction(s as SmtpState))).toBe(false);
  });
});

describe('PendingQueue', () => {
  const cmd = (verb: string, seq: number) => ({ verb, seq }) as unknown as Command;
  it('is FIFO and reports pipelining facts', () => {
    const q = new PendingQueue<null>();
    q.push({ cmd: cmd('<connect>', 0), key: '<connect>', ctx: null });
    expect(q.pipelining()).toEqual({ pipelined: false, afterGroupEnd: null });
    q.push({ cmd: cmd('MAIL', 1), key: 'MAIL', ctx: null });
    expect(q.pipelining()).toEqual({ pipelined: true, afterGroupEnd: null });
    q.push({ cmd: cmd('NOOP', 2), key: 'NOOP', ctx: null });
    expect(q.pipelining()).toEqual({ pipelined: true, afterGroupEnd: 'NOOP' });
    expect([q.shift()!.cmd.verb, q.shift()!.cmd.verb, q.size]).toEqual(['<connect>', 'MAIL', 1]);
  });
  it('stays within LIMITS.maxPendingCommands, dropping the oldest', () => {
    const q = new PendingQueue<null>();
    let dropped = 0;
    for (let i = 0; i < 1500; i++) if (q.push({ cmd: cmd('RCPT', i), key: 'RCPT', ctx: null })) dropped++;
    expect(q.size).toBe(1000);
    expect(dropped).toBe(500);
    expect(q.peek()!.cmd.seq).toBe(500);
  });
});
