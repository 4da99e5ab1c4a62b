import { describe, expect, it } from 'vitest';
import { dialogueOf, SMTP_LIMITS, type SessionEvent } from '../../src/smtp/index.js';
import { cs, ofType, run, script, type Step } from './helpers/script.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const HDR = cs('S: 220 mx', 'C: EHLO c', 'S: 250-mx\r\n250-PIPELINING\r\n250-CHUNKING\r\n250-XEXCH50\r\n250 AUTH PLAIN LOGIN');

/** Scenarios whose facts must not depend on how TCP cut the bytes. */
const SCENARIOS: Record<string, Step[]> = {
  pipelined: [
    ...HDR,
    { dir: 'c2s', text: 'MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nRCPT TO:<c@x>\r\nDATA\r\n' },
    { dir: 's2c', text: '250 ok\r\n250 ok\r\n550 5.1.1 no\r\n354 go\r\n' },
    { dir: 'c2s', text: 'Subject: s\r\n\r\n..x\r\nlf\n.\nend\r\n.\r\nRSET\r\nQUIT\r\n' },
    { dir: 's2c', text: '250 queued\r\n250 reset\r\n221 bye\r\n' },
  ],
  bdat: [
    ...HDR,
    ...cs('C: MAIL FROM:<a@x>', 'S: 250 ok', 'C: RCPT TO:<b@x>', 'S: 250 ok'),
    { dir: 'c2s', text: 'BDAT 9\r\na\r\n.\r\nb\r\nBDAT 0 LAST\r\nQUIT\r\n' },
    { dir: 's2c', text: '250 c1\r\n250 queued\r\n221 bye\r\n' },
  ],
  xexch50: [
    ...HDR,
    ...cs('C: MAIL FROM:<a@x>', 'S: 250 ok', 'C: RCPT TO:<b@x>', 'S: 250 ok', 'C: XEXCH50 13 2', 'S: 354 send'),
    { dir: 'c2s', bytes: Buffer.from('\r\n.\r\nQUIT\r\nxx') }, // 13 octets that look like lines,
    ...cs('S: 250 blob ok', 'C: QUIT', 'S: 221 bye'),
  ],
  auth: [
    ...HDR,
    ...cs('C: AUTH LOGIN', `S: 334 ${b64('Username:')}`, `C: ${b64('eve')}`, `S: 334 ${b64('Password:')}`, `C: ${b64('pw-secret')}`, 'S: 235 2.7.0 ok', 'C: QUIT', 'S: 221 bye'),
  ],
  earlyTalker: [{ dir: 'c2s', text: 'EHLO fast\r\nMAIL FROM:<a@x>\r\n' }, ...cs('S: 220 mx', 'S: 250 mx', 'S: 250 ok', 'C: QUIT', 'S: 221 bye')],
};

/** Facts without frames and times. */
function facts(evs: SessionEvent[]): string[] {
  return evs.map((e) => {
    switch (e.type) {
      case 'command':
        return `command ${e.cmd.verb} ${e.cmd.arg} p=${e.cmd.pipelined} g=${e.cmd.afterGroupEnd} s=${e.cmd.state}`;
      case 'reply':
        return `reply ${e.reply.code} ${JSON.stringify(e.reply.lines)} to=${e.to?.verb ?? null} ${e.stateBefore}->${e.stateAfter}`;
      case 'data-end':
        return `data-end ${e.complete} ${e.bytes} ${e.lines} ${e.lookalikes.map((l) => l.kind + '@' + l.offset).join(',')}`;
      case 'bdat-chunk':
        return `bdat ${e.size} ${e.chunk} ${e.received} ${e.lookalikes.map((l) => l.kind).join(',')}`;
      case 'xexch50-blob':
        return `blob ${e.expected} ${e.received} ${e.answered}`;
      case 'auth':
        return `auth ${e.mechanism} ${e.user} ${e.result}`;
      case 'anomaly':
        return `anomaly ${e.kind} ${e.dir}`;
      case 'early-talker':
        return 'early-talker';
      default:
        return e.type;
    }
  });
}

describe('session facts do not depend on segmentation', () => {
  for (const [name, steps] of Object.entries(SCENARIOS)) {
    const whole = facts(run(script(steps)).events);
    it(`${name}: has the expected shape`, () => {
      expect(whole.filter((f) => f.startsWith('reply')).every((f) => !f.includes('to=null'))).toBe(true);
      expect(whole.at(-1)).toBe('session-end');
    });
    for (const chunk of [1, 2, 3, 5, 7, 13]) {
      it(`${name}: ${chunk}-byte segments`, () => {
        expect(facts(run(script(steps, { chunk })).events)).toEqual(whole);
      });
    }
  }

  it('the XEXCH50 BLOB is counted, not read as commands', () => {
    const f = facts(run(script(SCENARIOS.xexch50!)).events);
    expect(f).toContain('blob 13 13 250');
    expect(f.filter((x) => x.startsWith('command QUIT'))).toHaveLength(1);
  });
});

describe('TLS established', () => {
  const rec = (type: number, body: number[]) => Buffer.from([type, 3, 3, 0, body.length, ...body]);
  const hello = (t: number) => {
    const body = [t === 1 ? 3 : 3, 3, ...new Array(32).fill(7), 0, ...(t === 1 ? [0, 2, 0x13, 0x01, 1, 0] : [0x13, 0x01, 0])];
    return rec(22, [t, 0, 0, body.length, ...body]);
  };
  it('CCS from both sides after the hellos: established, closedBy tls', () => {
    const r = run(script([
      ...cs('S: 220 mx', 'C: EHLO c', 'S: 250-mx\r\n250 STARTTLS', 'C: STARTTLS', 'S: 220 go'),
      { dir: 'c2s', bytes: hello(1) },
      { dir: 's2c', bytes: Buffer.concat([hello(2), rec(20, [1])]) },
      { dir: 'c2s', bytes: rec(20, [1]) },
      { dir: 'c2s', bytes: rec(23, [1, 2, 3]) },
    ]));
    const phases = ofType(r.events, 'tls').map((e) => e.phase);
    expect(phases[0]).toBe('start');
    expect(phases).toContain('established');
    expect(r.sessions[0]!.tls).toMatchObject({ established: true, verb: 'STARTTLS' });
    expect(r.sessions[0]!.closedBy).toBe('tls');
  });
});

describe('bounds', () => {
  it(`keeps at most ${SMTP_LIMITS.maxCommandsKept} commands and counts the rest`, () => {
    const batch = 500; // below LIMITS.maxPendingCommands
    const n = Math.ceil((SMTP_LIMITS.maxCommandsKept + 10) / batch) * batch;
    const steps: Step[] = cs('S: 220 mx', 'C: HELO c', 'S: 250 mx');
    for (let i = 0; i < n; i += batch) steps.push({ dir: 'c2s', text: 'NOOP\r\n'.repeat(batch) }, { dir: 's2c', text: '250 ok\r\n'.repeat(batch) });
    const r = run(script(steps));
    const s = r.sessions[0]!;
    expect(s.commands).toHaveLength(SMTP_LIMITS.maxCommandsKept);
    expect(s.droppedCommands).toBe(n + 2 - SMTP_LIMITS.maxCommandsKept); // + <connect>, HELO
    expect(ofType(r.events, 'reply').every((e) => e.to !== null)).toBe(true);
  });

  it('a pending queue over LIMITS.maxPendingCommands drops the oldest and says so', () => {
    const r = run(script([...cs('S: 220 mx', 'C: HELO c', 'S: 250 mx'), { dir: 'c2s', text: 'NOOP\r\n'.repeat(1005) }]));
    expect(ofType(r.events, 'anomaly').filter((e) => e.kind === 'pending-limit')).toHaveLength(5);
    expect(ofType(r.events, 'session-end')[0]!.pending).toHaveLength(1000);
  });

  it('client bytes after DATA without a 354 are held only up to the limit, then read as the body', () => {
    const body = 'x'.repeat(100) + '\r\n';
    const big = body.repeat(Math.ceil((SMTP_LIMITS.maxHeldClientBytes + 1000) / body.length));
    const r = run(script([
      ...cs('S: 220 mx', 'C: HELO c', 'S: 250 mx', 'C: MAIL FROM:<a@x>', 'S: 250 ok', 'C: RCPT TO:<b@x>', 'S: 250 ok', 'C: DATA'),
      { dir: 'c2s', text: big + '.\r\n' },
      ...cs('S: 354 late', 'S: 250 queued'),
    ], { chunk: 1460 }));
    expect(ofType(r.events, 'anomaly').map((e) => e.kind)).toEqual(['held-bytes-limit']);
    expect(ofType(r.events, 'data-end')[0]).toMatchObject({ complete: true, bytes: big.length });
    expect(ofType(r.events, 'reply').map((e) => e.to?.verb)).toEqual(['<connect>', 'HELO', 'MAIL', 'RCPT', 'DATA', '<end-of-data>']);
  });

  it('anomalies of one kind are capped per session, and all are counted', () => {
    const n = SMTP_LIMITS.maxAnomaliesPerKind + 50;
    const r = run(script([...cs('S: 220 mx'), { dir: 'c2s', text: 'NOOP\n'.repeat(n) }, { dir: 's2c', text: '250 ok\r\n'.repeat(n) }]));
    expect(ofType(r.events, 'anomaly').filter((e) => e.kind === 'bare-lf')).toHaveLength(SMTP_LIMITS.maxAnomaliesPerKind);
    expect(r.sessions[0]!.anomalyCounts['bare-lf']).toBe(n);
  });
});

describe('dialogueOf', () => {
  it('lists (verb, arg) and (code, text) in order, pseudo-commands left out', () => {
    const r = run(script(SCENARIOS.pipelined!));
    const d = dialogueOf(r.sessions[0]!);
    expect(d.commands).toEqual([['EHLO', 'c'], ['MAIL', 'FROM:<a@x>'], ['RCPT', 'TO:<b@x>'], ['RCPT', 'TO:<c@x>'], ['DATA', ''], ['RSET', ''], ['QUIT', '']]);
    expect(d.replies.map((x) => x[0])).toEqual([220, 250, 250, 250, 550, 354, 250, 250, 221]);
  });
  it('masks AUTH answers in the model', () => {
    const r = run(script(SCENARIOS.auth!));
    expect(JSON.stringify(r.sessions[0])).not.toContain(b64('pw-secret'));
    expect(r.sessions[0]!.commands.filter((c) => c.verb === '<auth-response>').map((c) => c.arg)).toEqual(['<credentials: 4 bytes>', '<credentials: 12 bytes>']);
  });
});
